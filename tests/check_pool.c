/* check_pool.c: the free-list object pool: reuse, pointer stability, counts, limit. */
#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/pool.h"
#include "tests/test_util.h"

START_TEST(test_init_arguments)
{
    pool p;
    ck_assert_int_eq(pool_init(&p, 0, 16), -1);
    ck_assert_int_eq(pool_init(&p, 16, 0), -1);
    ck_assert_int_eq(pool_init(&p, SIZE_MAX, 1), -1);
    ck_assert_int_eq(pool_init(&p, SIZE_MAX / 4, 8), -1);
    ck_assert_int_eq(pool_init(&p, 24, 8), 0);
    ck_assert_uint_eq(pool_in_use(&p), 0);
    ck_assert_uint_eq(pool_capacity(&p), 0);            /* the first chunk comes lazily */
    pool_fini(&p);
}
END_TEST

/* A returned object is handed out again (LIFO) before new memory is used. */
START_TEST(test_reuse)
{
    pool p;
    ck_assert_int_eq(pool_init(&p, 40, 4), 0);
    void *a = pool_get(&p), *b = pool_get(&p);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    pool_put(&p, a);
    ck_assert_ptr_eq(pool_get(&p), a);
    pool_put(&p, b);
    pool_put(&p, a);
    ck_assert_ptr_eq(pool_get(&p), a);
    ck_assert_ptr_eq(pool_get(&p), b);
    ck_assert_uint_eq(pool_capacity(&p), 4);
    /* steady state: a million get/put pairs never add a chunk */
    int got = 0;
    for (int i = 0; i < 1000000; i++) {
        void *x = pool_get(&p);
        if (!x) break;                                  /* checked below, not per pass */
        got++;
        pool_put(&p, x);
    }
    ck_assert_int_eq(got, 1000000);
    ck_assert_uint_eq(pool_capacity(&p), 4);
    ck_assert_uint_eq(pool_in_use(&p), 2);
    pool_fini(&p);
}
END_TEST

/* Objects keep their address and contents while the pool grows chunk after chunk; every
 * object is distinct, aligned, and fully usable (object_size bytes). */
START_TEST(test_pointer_stability)
{
    enum { N = 1000, SIZE = 52, PER = 16 };
    pool p;
    ck_assert_int_eq(pool_init(&p, SIZE, PER), 0);
    static unsigned char *obj[N];
    for (int i = 0; i < N; i++) {
        obj[i] = pool_get(&p);
        ck_assert_ptr_nonnull(obj[i]);
        ck_assert_uint_eq((uintptr_t)obj[i] % alignof(max_align_t), 0);
        memset(obj[i], i & 0xFF, SIZE);
        ck_assert_uint_eq(pool_capacity(&p), (size_t)(i / PER + 1) * PER);
    }
    int intact = 0, apart = 1;
    for (int i = 0; i < N; i++) {
        int ok = 1;
        for (int j = 0; j < SIZE; j++) ok &= obj[i][j] == (unsigned char)(i & 0xFF);
        intact += ok;
        /* no two objects overlap (compared with the next 40 handed out) */
        for (int k = i + 1; k < N && k < i + 40; k++)
            apart &= (uintptr_t)obj[k] + SIZE <= (uintptr_t)obj[i] ||
                     (uintptr_t)obj[i] + SIZE <= (uintptr_t)obj[k];
    }
    ck_assert_int_eq(intact, N);
    ck_assert(apart);
    ck_assert_uint_eq(pool_in_use(&p), N);
    ck_assert_uint_eq(pool_capacity(&p), 63 * PER);   /* ceil(1000 / 16) chunks */
    pool_fini(&p);
    ck_assert_uint_eq(pool_capacity(&p), 0);
    ck_assert_uint_eq(pool_in_use(&p), 0);
}
END_TEST

/* in_use follows gets and puts exactly; objects smaller than a pointer work. */
START_TEST(test_in_use_counts)
{
    pool p;
    ck_assert_int_eq(pool_init(&p, 1, 3), 0);
    void *o[10];
    for (int i = 0; i < 10; i++) {
        o[i] = pool_get(&p);
        ck_assert_ptr_nonnull(o[i]);
        *(char *)o[i] = (char)i;
        ck_assert_uint_eq(pool_in_use(&p), (size_t)i + 1);
    }
    ck_assert_uint_eq(pool_capacity(&p), 12);
    for (int i = 0; i < 10; i += 2) pool_put(&p, o[i]);
    ck_assert_uint_eq(pool_in_use(&p), 5);
    for (int i = 1; i < 10; i += 2) ck_assert_int_eq(*(char *)o[i], i);
    for (int i = 0; i < 7; i++) ck_assert_ptr_nonnull(pool_get(&p));
    ck_assert_uint_eq(pool_in_use(&p), 12);
    ck_assert_uint_eq(pool_capacity(&p), 12);           /* 5 reused + 2 fresh: no new chunk */
    ck_assert_ptr_nonnull(pool_get(&p));
    ck_assert_uint_eq(pool_capacity(&p), 15);
    pool_fini(&p);
}
END_TEST

/* With a limit, pool_get refuses exactly at the cap and works again after a put. */
START_TEST(test_limit)
{
    pool p;
    ck_assert_int_eq(pool_init(&p, 32, 4), 0);
    pool_set_limit(&p, 10);
    void *o[10];
    for (int i = 0; i < 10; i++) {
        o[i] = pool_get(&p);
        ck_assert_ptr_nonnull(o[i]);
    }
    ck_assert_ptr_null(pool_get(&p));
    ck_assert_ptr_null(pool_get(&p));
    ck_assert_uint_eq(pool_in_use(&p), 10);
    ck_assert_uint_eq(pool_capacity(&p), 12);
    pool_put(&p, o[3]);
    ck_assert_ptr_eq(pool_get(&p), o[3]);
    ck_assert_ptr_null(pool_get(&p));
    pool_set_limit(&p, 5);                              /* below what is out: refuses */
    ck_assert_ptr_null(pool_get(&p));
    for (int i = 0; i < 6; i++) pool_put(&p, o[i]);
    ck_assert_uint_eq(pool_in_use(&p), 4);
    ck_assert_ptr_nonnull(pool_get(&p));
    ck_assert_ptr_null(pool_get(&p));
    pool_set_limit(&p, SIZE_MAX);
    for (int i = 0; i < 20; i++) ck_assert_ptr_nonnull(pool_get(&p));
    ck_assert_uint_eq(pool_in_use(&p), 25);
    pool_fini(&p);
}
END_TEST

Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_init_arguments);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_pointer_stability);
    tcase_add_test(tc, test_in_use_counts);
    tcase_add_test(tc, test_limit);
    suite_add_tcase(s, tc);
    return s;
}
