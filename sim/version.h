/* version.h: the program's version string. */
#ifndef DBSCALE_VERSION_H
#define DBSCALE_VERSION_H
#define DBSCALE_VERSION "0.1.0"
#endif
