/*
 * A program linked to noinherit.dll (dllimport), not the static library:
 * the DLL loads, and what it makes is not inheritable.  Status 0 or 1.
 */
#include <io.h>
#include <noinherit.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

int
main(void)
{
	int p[2];
	if (strcmp(ni_version(), NI_VERSION_STRING_FOR_TEST) != 0) {
		printf("ni_version: %s\n", ni_version());
		return 1;
	}
	if (ni_pipe(p) != 0) {
		perror("ni_pipe");
		return 1;
	}
	DWORD flags = 0;
	HANDLE h = (HANDLE)_get_osfhandle(p[0]);
	if (!GetHandleInformation(h, &flags) || (flags & HANDLE_FLAG_INHERIT) ||
	    ni_get_handle_inheritable(h) != 0) {
		puts("the pipe from noinherit.dll is inheritable");
		return 1;
	}
	_close(p[0]);
	_close(p[1]);
	puts("noinherit.dll: loaded, pipe not inheritable");
	return 0;
}
