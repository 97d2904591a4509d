/*
 * handles.h - a process's inheritable handles, for `noinherit.exe audit`.
 * The system's handle table comes from
 * NtQuerySystemInformation(SystemExtendedHandleInformation); a handle
 * would be inherited when its entry has OBJ_INHERIT in HandleAttributes.
 */
#ifndef NI_WIN_HANDLES_H
#define NI_WIN_HANDLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <windows.h>

struct wa_handle {
	uint64_t value;		/* the handle's value in its process */
	char type[64];		/* the object type ("File", "Event", ...) */
	const char *kind;	/* File objects: "disk", "pipe", "char"; else NULL */
	char *name;		/* UTF-8 (malloc'd), or NULL when unknown */
	bool std;		/* one of the process's standard handles */
};

struct wa_proc {
	DWORD pid;
	char *exe;		/* UTF-8 image path (malloc'd), or NULL */
	struct wa_handle *h;	/* the inheritable handles, by value */
	size_t n;
	DWORD error;		/* 0, or why the process could not be read */
};

/* The system's handle table (free() it), or NULL with GetLastError set. */
void *wa_snapshot(void);
/*
 * Fills p with pid's inheritable handles as the snapshot lists them.
 * Returns false with p->error set when the process cannot be opened.
 */
bool wa_read(const void *snap, DWORD pid, struct wa_proc *p);
void wa_free(struct wa_proc *p);
/* A new UTF-8 copy of a UTF-16 string of n units (n < 0: NUL-terminated). */
char *wa_utf8(const wchar_t *w, int n);

#endif /* NI_WIN_HANDLES_H */
