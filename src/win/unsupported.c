/* unsupported.c - not written yet. */
typedef int ni__placeholder_unsupported;
