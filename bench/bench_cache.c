/* bench_cache.c: not yet written (placeholder during initial set-up). */
