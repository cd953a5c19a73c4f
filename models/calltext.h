/* calltext.h: splitting option values written as `name` or `name(arg, arg)`, shared by
 * the cluster's structured options (replication, consistency). */
#ifndef DBSCALE_CALLTEXT_H
#define DBSCALE_CALLTEXT_H

#include <stddef.h>

#define CALLTEXT_MAX_ARGS 3

typedef struct calltext {
    char text[128];                       /* the whole value, trimmed (for messages) */
    char name[48];                        /* the word before '(' (or the whole value) */
    int parens;                           /* 1 when the value had '(...)' */
    int nargs;                            /* arguments inside the parentheses */
    char args[CALLTEXT_MAX_ARGS][64];     /* the arguments, trimmed */
} calltext;

/* Splits text into name and arguments. Returns 0, or -1 with a message in err (empty
 * value, missing ')', text after ')', too many or too long arguments). O(strlen(text)). */
int calltext_split(const char *text, calltext *out, char *err, size_t errlen);

#endif
