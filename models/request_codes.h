/* request_codes.h: what the models put in a request's op and status fields. */
#ifndef DBSCALE_REQUEST_CODES_H
#define DBSCALE_REQUEST_CODES_H

enum request_op {
    OP_READ = 0,     /* point read of one key */
    OP_WRITE = 1,    /* update/insert of one key */
    OP_SCAN = 2,     /* range read (partitions, scatter-gather) */
    OP_COUNT         /* number of op codes */
};

enum request_status {
    STATUS_OK = 0,       /* served */
    STATUS_REFUSED = 1,  /* refused: capacity, connection limit, pool full */
    STATUS_FAILED = 2,   /* failed: station down, outage */
};

/* Name of an op code ("read", "write", "scan"). */
static inline const char *request_op_name(int op)
{
    return op == OP_READ ? "read" : op == OP_WRITE ? "write" : op == OP_SCAN ? "scan" : "?";
}

#endif
