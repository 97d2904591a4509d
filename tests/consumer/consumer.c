/* A program built against an installed noinherit, as a user would. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <noinherit.h>

#ifdef _WIN32
#define NULL_DEVICE "NUL"
#else
#define NULL_DEVICE "/dev/null"
#endif

int
main(void)
{
	int fd = ni_open(NULL_DEVICE, O_RDONLY);

	if (fd < 0 || ni_get_inheritable(fd) != 0) {
		fprintf(stderr, "consumer: ni_open gave an inheritable fd\n");
		return 1;
	}
	close(fd);
	printf("consumer: libnoinherit %s, features %#x\n", ni_version(),
	    ni_features());
	return 0;
}
