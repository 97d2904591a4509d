/*
 * child.c - the Windows tests' reporter: a real child process that says
 * what it received.  Plain Win32 and CRT, no libnoinherit.  Modes:
 *   child report      each CRT descriptor 0-63 that is open ("fd N TYPE"),
 *                     then each handle whose HANDLE_FLAG_INHERIT is set
 *                     ("inh 0xVALUE TYPE"), then "end"
 *   child hold        reads stdin until EOF, then exits 0
 *   child argv ...    each argument after "argv", as UTF-8 in hex ("arg HEX")
 *   child read FD...  up to 200 bytes read from each descriptor
 *                     ("read FD HEX", "read FD error")
 *   child exit N      exits with status N
 *   child full [MAX]  as report, each descriptor with its handle ("fd N
 *                     TYPE 0xVALUE"), handle values scanned below MAX
 *                     (hex; default 0x8000, where wu_handle_count stops too)
 *   child cwd         the working directory as UTF-8 in hex ("cwd HEX")
 *   child env NAME    the variable's value in hex ("env HEX", "env unset")
 *   child self        this program's path as UTF-8 in hex ("self HEX")
 *   child argv0       argv[0] as UTF-8 in hex ("arg HEX")
 * Output goes to descriptor 1 in binary mode.  Unknown mode: status 100.
 */
#include <fcntl.h>
#include <io.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static const char *
type_name(HANDLE h)
{
	switch (GetFileType(h)) {
	case FILE_TYPE_DISK:	return "disk";
	case FILE_TYPE_PIPE:	return "pipe";
	case FILE_TYPE_CHAR:	return "char";
	default:		return "other";
	}
}

static void
put_hex(const unsigned char *p, size_t n)
{
	if (n == 0)
		fputs("-", stdout);	/* an empty value still takes a field */
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* "WORD HEX" with w as UTF-8, or "WORD unset" for NULL. */
static void
put_line(const char *word, const wchar_t *w)
{
	char u[3 * 4096];
	int n;

	printf("%s ", word);
	if (w == NULL) {
		puts("unset");
		return;
	}
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, u, sizeof u, NULL, NULL);
	put_hex((unsigned char *)u, n > 0 ? (size_t)n - 1 : 0);
	putchar('\n');
}

static void
report(bool values, uintptr_t max)
{
	for (int fd = 0; fd < 64; fd++) {
		intptr_t h = _get_osfhandle(fd);
		if (h == -1 || h == -2)
			continue;
		printf("fd %d %s", fd, type_name((HANDLE)h));
		if (values)
			printf(" 0x%llx", (unsigned long long)h);
		putchar('\n');
	}
	/* Handle values are multiples of 4; a child this small holds few. */
	for (uintptr_t v = 4; v < max; v += 4) {
		DWORD flags;
		if (GetHandleInformation((HANDLE)v, &flags) &&
		    (flags & HANDLE_FLAG_INHERIT))
			printf("inh 0x%llx %s\n", (unsigned long long)v,
			    type_name((HANDLE)v));
	}
	puts("end");
}

int
wmain(int argc, wchar_t **argv)
{
	_setmode(1, _O_BINARY);
	if (argc < 2)
		return 100;
	if (wcscmp(argv[1], L"report") == 0) {
		report(false, 0x8000);
	} else if (wcscmp(argv[1], L"full") == 0) {
		report(true, argc > 2 ? wcstoul(argv[2], NULL, 16) : 0x8000);
	} else if (wcscmp(argv[1], L"cwd") == 0) {
		wchar_t w[4096];
		DWORD n = GetCurrentDirectoryW(4096, w);
		put_line("cwd", n > 0 && n < 4096 ? w : NULL);
	} else if (wcscmp(argv[1], L"env") == 0 && argc > 2) {
		wchar_t w[4096];
		DWORD n = GetEnvironmentVariableW(argv[2], w, 4096);
		put_line("env", n > 0 && n < 4096 ? w : NULL);
	} else if (wcscmp(argv[1], L"argv0") == 0) {
		put_line("arg", argv[0]);
	} else if (wcscmp(argv[1], L"self") == 0) {
		wchar_t w[4096];
		DWORD n = GetModuleFileNameW(NULL, w, 4096);
		put_line("self", n > 0 && n < 4096 ? w : NULL);
	} else if (wcscmp(argv[1], L"hold") == 0) {
		char buf[256];
		while (_read(0, buf, sizeof buf) > 0)
			;
	} else if (wcscmp(argv[1], L"argv") == 0) {
		for (int i = 2; i < argc; i++) {
			char u[4096];
			int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, u,
			    sizeof u, NULL, NULL);
			fputs("arg ", stdout);
			put_hex((unsigned char *)u, n > 0 ? (size_t)n - 1 : 0);
			putchar('\n');
		}
		puts("end");
	} else if (wcscmp(argv[1], L"read") == 0) {
		for (int i = 2; i < argc; i++) {
			int fd = _wtoi(argv[i]);
			unsigned char buf[200];
			int n = _read(fd, buf, sizeof buf);
			printf("read %d ", fd);
			if (n < 0)
				fputs("error", stdout);
			else
				put_hex(buf, (size_t)n);
			putchar('\n');
		}
		puts("end");
	} else if (wcscmp(argv[1], L"exit") == 0 && argc > 2) {
		return _wtoi(argv[2]);
	} else {
		return 100;
	}
	fflush(stdout);
	return 0;
}
