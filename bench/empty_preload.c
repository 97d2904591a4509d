/*
 * empty_preload.c - a shared object with nothing in it, preloaded by
 * bench_preload's `preload0` variant: what loading any LD_PRELOAD library
 * costs each process (the loader's open, mappings and relocations), the
 * floor under the shim's enforce and trace figures.
 */
int bench_empty_preload_marker;
