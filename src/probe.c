/*
 * probe.c - the probe table: which atomic close-on-exec mechanisms (and
 * spawn mechanisms) work in this process.
 *
 * Each answer is found by the first call that needs it and cached in one
 * byte, lock-free: later calls read it with a relaxed load and go straight
 * to the path that works (probe_get/probe_set in internal.h).  The
 * create-then-set engine that consults it is create_fallback.c.
 */
#include "internal.h"

_Atomic unsigned char ni__probes[P_COUNT];
