/*
 * win.h - internals shared by the Windows files of libnoinherit (src/win/).
 * Nothing here is exported from noinherit.dll; the tests link the static
 * library and reach these through this header.
 */
#ifndef NI_WIN_H
#define NI_WIN_H

#include <stddef.h>
#include <wchar.h>
#include <winsock2.h>
#include <windows.h>

/* errno for a GetLastError() code, as the CRT's own mapping does. */
int ni__win_errno(DWORD err);
/* errno for a WSAGetLastError() code. */
int ni__wsa_errno(int err);
/*
 * UTF-8 to a new UTF-16 string (free() it).  NULL with errno EILSEQ for a
 * string that is not UTF-8, ENOMEM.
 */
wchar_t *ni__win_widen(const char *s);

#endif /* NI_WIN_H */
