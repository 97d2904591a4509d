/* The public header alone, in strict ISO C99: it must compile as it is. */
#include <noinherit.h>

int
header_check(void)
{
	return ni_get_inheritable(0);
}
