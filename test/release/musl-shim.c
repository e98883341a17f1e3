/*
 * Test scaffolding only (never shipped): Debian has musl loaders but no
 * musl-built libstdc++, which Bun's musl binaries load. The release test runs
 * the musl binaries under Debian's musl loader with Debian's (glibc-built)
 * libstdc++ and libgcc_s, and this library fills in the few glibc-only
 * symbols those two import. On x64 it takes the soname ld-linux-x86-64.so.2,
 * the glibc loader libstdc++ names as a dependency there; on arm64 it is
 * preloaded (LD_PRELOAD). On Alpine, `apk add libstdc++` provides the real
 * thing. Built freestanding: no libc headers needed for either architecture.
 */
#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
extern ssize_t getrandom(void *buf, size_t len, unsigned flags);
extern size_t strftime_l(char *s, size_t max, const char *fmt, const void *tm, void *loc);
extern int __cxa_atexit(void (*f)(void *), void *arg, void *dso);
extern unsigned long getauxval(unsigned long type);

char __libc_single_threaded = 0;
uint32_t arc4random(void) {
  uint32_t v = 0;
  getrandom(&v, sizeof v, 0);
  return v;
}
size_t __strftime_l(char *s, size_t max, const char *fmt, const void *tm, void *loc) { return strftime_l(s, max, fmt, tm, loc); }
/* thread_local destructors run at exit instead of at thread exit: enough for a test run. */
int __cxa_thread_atexit_impl(void (*f)(void *), void *arg, void *dso) { return __cxa_atexit(f, arg, dso); }
/* "not found": libgcc's unwinder then walks dl_iterate_phdr, which musl has. */
int _dl_find_object(void *pc, void *result) {
  (void)pc;
  (void)result;
  return -1;
}
unsigned long __getauxval(unsigned long type) { return getauxval(type); }
#if defined(__x86_64__)
/* libgcc's CPU detection, which glibc's libgcc_s exports and imports. */
struct {
  unsigned vendor, type, subtype, features[1];
} __cpu_model;
int __cpu_indicator_init(void) { return 0; }
#endif
