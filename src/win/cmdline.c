/* cmdline.c - not written yet. */
typedef int ni__placeholder_cmdline;
