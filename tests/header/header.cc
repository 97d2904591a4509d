// The public header from C++: extern "C" and nothing C-only.
#include <noinherit.h>

extern "C" int header_check_cxx(void) { return ni_get_inheritable(0); }
