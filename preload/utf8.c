/*
 * utf8.c - the shim's UTF-8 check is the tool's (tools/utf8.c, one
 * definition), compiled here with the shim's own flags: hidden, never
 * instrumented by a sanitizer.
 */
#include "../tools/utf8.c"
