/*
 * handles.c - a process's inheritable handles: the system handle table for
 * which handles carry OBJ_INHERIT, a duplicate of each for its type and
 * name, and the process's PEB for which are its standard handles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winternl.h>

#include "handles.h"

#define SYSTEM_EXTENDED_HANDLE_INFORMATION 64
#define STATUS_INFO_LENGTH_MISMATCH ((NTSTATUS)0xC0000004L)
#define OBJ_INHERIT_ATTRIBUTE 0x2
#define OBJECT_NAME_INFORMATION_CLASS 1

/* One entry of SystemExtendedHandleInformation (the public layout). */
struct handle_entry {
	PVOID object;
	ULONG_PTR pid;
	ULONG_PTR value;
	ULONG access;
	USHORT backtrace_index;
	USHORT type_index;
	ULONG attributes;
	ULONG reserved;
};

struct handle_table {
	ULONG_PTR count;
	ULONG_PTR reserved;
	struct handle_entry e[];
};

void *
wa_snapshot(void)
{
	ULONG len = 1u << 20;
	for (int tries = 0; tries < 8; tries++) {
		struct handle_table *t = malloc(len);
		ULONG need = 0;
		if (t == NULL) {
			SetLastError(ERROR_NOT_ENOUGH_MEMORY);
			return NULL;
		}
		NTSTATUS st = NtQuerySystemInformation(
		    (SYSTEM_INFORMATION_CLASS)SYSTEM_EXTENDED_HANDLE_INFORMATION,
		    t, len, &need);
		if (NT_SUCCESS(st))
			return t;
		free(t);
		if (st != STATUS_INFO_LENGTH_MISMATCH) {
			SetLastError(RtlNtStatusToDosError(st));
			return NULL;
		}
		/* Handles come and go between two calls: leave room. */
		len = (need > len ? need : len) * 2;
	}
	SetLastError(ERROR_NOT_ENOUGH_MEMORY);
	return NULL;
}

char *
wa_utf8(const wchar_t *w, int n)
{
	int len = WideCharToMultiByte(CP_UTF8, 0, w, n, NULL, 0, NULL, NULL);
	char *s = malloc((size_t)len + 1);
	if (s == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, w, n, s, len, NULL, NULL);
	s[len] = 0;
	return s;
}

/*
 * The standard handles from the process's RTL_USER_PROCESS_PARAMETERS
 * (x64 layout: PEB+0x20 points to it; StandardInput, Output and Error at
 * +0x20, +0x28, +0x30).  Leaves std zeroed when the memory cannot be read.
 */
static void
read_std(HANDLE proc, ULONG_PTR std[3])
{
	PROCESS_BASIC_INFORMATION pbi;
	ULONG got;
	ULONG_PTR params;
	SIZE_T n;

	if (!NT_SUCCESS(NtQueryInformationProcess(proc, ProcessBasicInformation,
	    &pbi, sizeof pbi, &got)) || pbi.PebBaseAddress == NULL)
		return;
	if (!ReadProcessMemory(proc, (char *)pbi.PebBaseAddress + 0x20, &params,
	    sizeof params, &n) || params == 0)
		return;
	if (!ReadProcessMemory(proc, (void *)(params + 0x20), std,
	    3 * sizeof std[0], &n))
		memset(std, 0, 3 * sizeof std[0]);
}

/* Object name of a non-File handle (File names can block on pipes). */
static char *
object_name(HANDLE h)
{
	union {
		UNICODE_STRING s;
		char buf[2048];
	} u;
	ULONG got;
	if (!NT_SUCCESS(NtQueryObject(h,
	    (OBJECT_INFORMATION_CLASS)OBJECT_NAME_INFORMATION_CLASS, &u,
	    sizeof u, &got)) || u.s.Length == 0)
		return NULL;
	return wa_utf8(u.s.Buffer, u.s.Length / 2);
}

/* Type, kind and name of one handle, through a duplicate in this process. */
static void
describe(HANDLE proc, struct wa_handle *w)
{
	HANDLE h;
	strcpy(w->type, "?");
	if (!DuplicateHandle(proc, (HANDLE)(uintptr_t)w->value,
	    GetCurrentProcess(), &h, 0, FALSE, DUPLICATE_SAME_ACCESS))
		return;
	union {
		PUBLIC_OBJECT_TYPE_INFORMATION t;
		char buf[1024];
	} u;
	ULONG got;
	if (NT_SUCCESS(NtQueryObject(h, ObjectTypeInformation, &u, sizeof u,
	    &got))) {
		char *t = wa_utf8(u.t.TypeName.Buffer, u.t.TypeName.Length / 2);
		if (t != NULL) {
			snprintf(w->type, sizeof w->type, "%s", t);
			free(t);
		}
	}
	if (strcmp(w->type, "File") == 0) {
		switch (GetFileType(h)) {
		case FILE_TYPE_DISK:
			w->kind = "disk";
			wchar_t path[MAX_PATH * 2];
			DWORD n = GetFinalPathNameByHandleW(h, path,
			    MAX_PATH * 2, VOLUME_NAME_DOS);
			if (n > 0 && n < MAX_PATH * 2)
				w->name = wa_utf8(path, (int)n);
			break;
		case FILE_TYPE_PIPE:
			w->kind = "pipe";	/* sockets too */
			break;
		case FILE_TYPE_CHAR:
			w->kind = "char";	/* a console, NUL, a port */
			break;
		default:
			break;
		}
	} else if (strcmp(w->type, "Process") == 0) {
		char s[32];
		snprintf(s, sizeof s, "pid %lu", GetProcessId(h));
		w->name = _strdup(s);
	} else if (strcmp(w->type, "Thread") == 0) {
		char s[32];
		snprintf(s, sizeof s, "tid %lu", GetThreadId(h));
		w->name = _strdup(s);
	} else {
		w->name = object_name(h);
	}
	CloseHandle(h);
}

static char *
image_path(HANDLE proc)
{
	wchar_t path[MAX_PATH * 2];
	DWORD n = MAX_PATH * 2;
	if (!QueryFullProcessImageNameW(proc, 0, path, &n))
		return NULL;
	return wa_utf8(path, (int)n);
}

bool
wa_read(const void *snap, DWORD pid, struct wa_proc *p)
{
	const struct handle_table *t = snap;
	memset(p, 0, sizeof *p);
	p->pid = pid;
	HANDLE proc = OpenProcess(PROCESS_DUP_HANDLE | PROCESS_VM_READ |
	    PROCESS_QUERY_INFORMATION, FALSE, pid);
	if (proc == NULL) {
		p->error = GetLastError();
		return false;
	}
	ULONG_PTR std[3] = { 0, 0, 0 };
	read_std(proc, std);
	p->exe = image_path(proc);

	size_t cap = 0;
	for (ULONG_PTR i = 0; i < t->count; i++) {
		const struct handle_entry *e = &t->e[i];
		if (e->pid != pid || !(e->attributes & OBJ_INHERIT_ATTRIBUTE))
			continue;
		if (p->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct wa_handle *nh = realloc(p->h, cap * sizeof *nh);
			if (nh == NULL) {
				p->error = ERROR_NOT_ENOUGH_MEMORY;
				CloseHandle(proc);
				return false;
			}
			p->h = nh;
		}
		struct wa_handle *w = &p->h[p->n++];
		memset(w, 0, sizeof *w);
		w->value = e->value;
		w->std = e->value != 0 && (e->value == std[0] ||
		    e->value == std[1] || e->value == std[2]);
		describe(proc, w);
	}
	CloseHandle(proc);
	return true;
}

void
wa_free(struct wa_proc *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->h[i].name);
	free(p->h);
	free(p->exe);
	memset(p, 0, sizeof *p);
}
