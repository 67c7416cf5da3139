/* hash.c - FNV-1a 64 and a splitmix finaliser (see hash.h). */
#include "base/hash.h"

#include <string.h>

#define FNV_PRIME 0x100000001b3ULL

uint64_t st_hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t st_hash_str(uint64_t h, const char *s)
{
    /* Include the terminator so ("ab","c") and ("a","bc") differ. */
    return st_hash_bytes(h, s, strlen(s) + 1);
}

uint64_t st_hash_u64(uint64_t h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));   /* endian-independent */
    return st_hash_bytes(h, b, sizeof b);
}

uint64_t st_hash_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void st_hash_hex(uint64_t h, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = digits[h & 15];
        h >>= 4;
    }
    out[16] = '\0';
}
