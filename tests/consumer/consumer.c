/* A program built against an installed noinherit, as a user would. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <noinherit.h>

int
main(void)
{
	int fd = ni_open("/dev/null", O_RDONLY);

	if (fd < 0 || ni_get_inheritable(fd) != 0) {
		fprintf(stderr, "consumer: ni_open gave an inheritable fd\n");
		return 1;
	}
	close(fd);
	printf("consumer: libnoinherit %s, features %#x\n", ni_version(),
	    ni_features());
	return 0;
}
