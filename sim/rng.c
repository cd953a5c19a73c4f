/* rng.c: seeding of named streams and the GSL view of a stream. */
#include "sim/rng.h"

#include <string.h>

uint64_t rng_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* splitmix64: turns any 64-bit value into a well-mixed one; used only for seeding. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The GSL face of a stream: GSL calls these through gsl_rng_get / gsl_rng_uniform. */
static void gsl_face_set(void *state, unsigned long seed)
{
    uint64_t x = seed;
    uint64_t *s = state;
    for (int i = 0; i < 4; i++) s[i] = splitmix64(&x);
}

static unsigned long gsl_face_get(void *state)
{
    rng tmp;
    memcpy(tmp.s, state, sizeof tmp.s);
    unsigned long v = (unsigned long)(rng_next(&tmp) >> 32);
    memcpy(state, tmp.s, sizeof tmp.s);
    return v;
}

static double gsl_face_get_double(void *state)
{
    rng tmp;
    memcpy(tmp.s, state, sizeof tmp.s);
    double v = rng_uniform(&tmp);
    memcpy(state, tmp.s, sizeof tmp.s);
    return v;
}

static const gsl_rng_type rng_gsl_type = {
    .name = "dbscale-xoshiro256starstar",
    .max = 0xffffffffUL,
    .min = 0,
    .size = sizeof(uint64_t[4]),
    .set = gsl_face_set,
    .get = gsl_face_get,
    .get_double = gsl_face_get_double,
};

void rng_seed(rng *r, uint64_t master, uint64_t replication, const char *name)
{
    uint64_t x = master;
    uint64_t a = splitmix64(&x);
    x = a ^ (replication * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
    uint64_t b = splitmix64(&x);
    x = b ^ rng_hash(name);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;
    r->gsl.type = &rng_gsl_type;
    r->gsl.state = r->s;
}
