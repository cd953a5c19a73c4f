/* test_util.h: helpers shared by the check tests. */
#ifndef DBSCALE_TEST_UTIL_H
#define DBSCALE_TEST_UTIL_H
#include <stdlib.h>
#include <string.h>

/* True when DBSCALE_QUICK is set (sanitizer and valgrind runs): statistical tests then
 * use shorter runs and correspondingly wider (still CI-derived) bounds. */
static inline int test_quick(void)
{
    const char *q = getenv("DBSCALE_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

/* Seconds of timeout for statistical test cases: generous, never a pass criterion. */
#define TEST_STAT_TIMEOUT 600
#endif
