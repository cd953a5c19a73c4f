/* output_fmt.c: numbers and text fields as written into the CSV outputs (see output.h). */
#include "cli/output.h"

#include <csv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aggregate.h"

int output_format_number(double v, char *buf, size_t n)
{
    if (n == 0) return -1;
    if (isnan(v)) {
        buf[0] = '\0';
        return 0;
    }
    int len = -1;
    if (v == floor(v) && fabs(v) < 1e15) { /* a whole number (counts): its digits, as %.15g */
        len = snprintf(buf, n, "%lld", (long long)v);
        if (v == 0.0 && signbit(v)) len = snprintf(buf, n, "-0");
        if (len < 0 || (size_t)len >= n) {
            buf[0] = '\0';
            return -1;
        }
        return len;
    }
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, n, "%.*g", prec, v);
        if (len < 0 || (size_t)len >= n) {
            buf[0] = '\0';
            return -1;
        }
        if (strtod(buf, NULL) == v) break;
    }
    return len;
}

int output_csv_text(FILE *f, const char *s)
{
    size_t len = strlen(s);
    if (strpbrk(s, ",\"\r\n")) return csv_fwrite(f, s, len) == 0 ? 0 : -1;
    return len == 0 || fwrite(s, 1, len, f) == len ? 0 : -1;
}

int output_csv_number(FILE *f, double v)
{
    char buf[OUTPUT_NUMBER_MAX];
    int len = output_format_number(v, buf, sizeof buf);
    if (len < 0) return -1;
    return len == 0 || fwrite(buf, 1, (size_t)len, f) == (size_t)len ? 0 : -1;
}

int output_csv_axes(const results *res, size_t point, FILE *f)
{
    for (size_t a = 0; a < res->n_axes; a++) {
        if (fputc(',', f) == EOF) return -1;
        int rc = agg_axis_numeric(res, a, NULL)
                     ? output_csv_number(f, agg_axis_value(res, point, a))
                     : output_csv_text(f, agg_axis_text(res, point, a));
        if (rc) return -1;
    }
    return 0;
}
