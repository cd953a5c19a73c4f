#include <stdio.h>
int main(void) { puts("dbscale: under construction"); return 0; }
