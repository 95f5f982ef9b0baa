/* fsync_shadow: an LD_PRELOAD library that models a power cut.
 *
 * A kill -9 keeps the page cache, so it cannot show a missing fsync. This
 * library keeps, beside every file written under $FSYNC_SHADOW_DIR, a shadow
 * copy that only receives the bytes a process has fsync'd (fsync/fdatasync):
 * writes are remembered as dirty ranges and copied into the shadow when the
 * file is synced. After a kill -9, replacing the files by their shadows gives
 * exactly what a disk would hold after a power cut that lost every write not
 * yet flushed. The test then restarts the server on that state.
 *
 * Test tooling, not product code: the interposed calls need process-wide
 * state, guarded by one mutex. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 4096
#define MAX_FILES 256
#define MAX_RANGES 65536

/* Dirty state belongs to the file (the inode), not to a descriptor, as in
 * the page cache: an fsync through any descriptor of a file makes the
 * writes of every descriptor durable, and writes stay dirty after the
 * descriptor that made them is closed. */
struct range {
  off_t start, end;
};
struct file {
  dev_t dev;
  ino_t ino;
  char shadow[PATH_MAX];
  int nranges;
  int overflow; /* too many ranges: copy the whole file on sync */
  struct range* ranges;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct file files[MAX_FILES];
static int nfiles;
static struct file* fds[MAX_FDS]; /* tracked descriptor -> its file */

static ssize_t (*real_write)(int, const void*, size_t);
static ssize_t (*real_pwrite)(int, const void*, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void*, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec*, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);

/* dlsym returns void*; POSIX guarantees it converts to a function pointer, but
 * ISO C does not, so the address is copied rather than assigned. */
static void lookup(const char* name, void* slot) {
  void* address = dlsym(RTLD_NEXT, name);
  memcpy(slot, &address, sizeof address);
}

static void resolve(void) {
  if (real_fsync) return;
  lookup("write", &real_write);
  lookup("pwrite", &real_pwrite);
  lookup("pwrite64", &real_pwrite64);
  lookup("writev", &real_writev);
  lookup("fdatasync", &real_fdatasync);
  lookup("close", &real_close);
  lookup("fsync", &real_fsync);
}

/* The file of an inode, created on first sight with its shadow's path. An
 * inode seen under another name belonged to a file since deleted (SQLite's
 * rollback journal before the WAL took its inode number): it starts afresh. */
static struct file* file_of(dev_t dev, ino_t ino, const char* path, size_t len) {
  if (len + sizeof ".shadow" > PATH_MAX) return NULL;
  struct file* f = NULL;
  for (int i = 0; i < nfiles && !f; i++) {
    if (files[i].dev == dev && files[i].ino == ino) f = &files[i];
  }
  if (f && strncmp(f->shadow, path, len) == 0 && strcmp(f->shadow + len, ".shadow") == 0) return f;
  if (!f) {
    if (nfiles == MAX_FILES) return NULL;
    f = &files[nfiles++];
    f->ranges = malloc(sizeof(struct range) * MAX_RANGES);
  }
  f->dev = dev;
  f->ino = ino;
  memcpy(f->shadow, path, len);
  memcpy(f->shadow + len, ".shadow", sizeof ".shadow");
  f->nranges = 0;
  f->overflow = 0;
  return f;
}

/* Starts tracking fd when it is a regular file under the shadowed directory
 * (the -shm index is not durable state and is skipped). */
static struct file* track(int fd) {
  if (fd < 0 || fd >= MAX_FDS) return NULL;
  if (fds[fd]) return fds[fd];
  const char* dir = getenv("FSYNC_SHADOW_DIR");
  if (!dir) return NULL;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return NULL;
  path[n] = 0;
  size_t dl = strlen(dir);
  if (strncmp(path, dir, dl) != 0 || path[dl] != '/') return NULL;
  if (strstr(path, "-shm") || strstr(path, ".shadow")) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
  fds[fd] = file_of(st.st_dev, st.st_ino, path, (size_t)n);
  return fds[fd];
}

static void note(int fd, off_t start, ssize_t len) {
  if (len <= 0) return;
  pthread_mutex_lock(&lock);
  struct file* t = track(fd);
  if (t) {
    if (t->nranges > 0 && t->ranges[t->nranges - 1].end == start) {
      t->ranges[t->nranges - 1].end = start + len;
    } else if (t->nranges < MAX_RANGES) {
      t->ranges[t->nranges].start = start;
      t->ranges[t->nranges].end = start + len;
      t->nranges++;
    } else {
      t->overflow = 1;
    }
  }
  pthread_mutex_unlock(&lock);
}

static void copy_range(int src, int dst, off_t start, off_t end) {
  char buf[65536];
  while (start < end) {
    size_t want = (size_t)(end - start) < sizeof buf ? (size_t)(end - start) : sizeof buf;
    ssize_t r = pread(src, buf, want, start);
    if (r <= 0) break;
    real_pwrite(dst, buf, (size_t)r, start);
    start += r;
  }
}

/* The file was synced: its dirty ranges, written through any descriptor,
 * become durable in the shadow. */
static void persist(int fd) {
  pthread_mutex_lock(&lock);
  struct file* t = track(fd);
  if (t) {
    int dst = open(t->shadow, O_WRONLY | O_CREAT, 0644);
    if (dst >= 0) {
      struct stat st;
      fstat(fd, &st);
      if (t->overflow) {
        copy_range(fd, dst, 0, st.st_size);
      } else {
        for (int i = 0; i < t->nranges; i++)
          copy_range(fd, dst, t->ranges[i].start, t->ranges[i].end);
      }
      if (ftruncate(dst, st.st_size) != 0) { /* best effort */
      }
      real_close(dst);
    }
    t->nranges = 0;
    t->overflow = 0;
  }
  pthread_mutex_unlock(&lock);
}

ssize_t write(int fd, const void* buf, size_t n) {
  resolve();
  off_t at = lseek(fd, 0, SEEK_CUR);
  ssize_t r = real_write(fd, buf, n);
  if (at >= 0) note(fd, at, r);
  return r;
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  resolve();
  ssize_t r = real_pwrite(fd, buf, n, off);
  note(fd, off, r);
  return r;
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  resolve();
  ssize_t r = real_pwrite64(fd, buf, n, off);
  note(fd, off, r);
  return r;
}

ssize_t writev(int fd, const struct iovec* iov, int cnt) {
  resolve();
  off_t at = lseek(fd, 0, SEEK_CUR);
  ssize_t r = real_writev(fd, iov, cnt);
  if (at >= 0) note(fd, at, r);
  return r;
}

int fsync(int fd) {
  resolve();
  int r = real_fsync(fd);
  if (r == 0) persist(fd);
  return r;
}

int fdatasync(int fd) {
  resolve();
  int r = real_fdatasync(fd);
  if (r == 0) persist(fd);
  return r;
}

int close(int fd) {
  resolve();
  if (fd >= 0 && fd < MAX_FDS) {
    pthread_mutex_lock(&lock);
    fds[fd] = NULL; /* the file's unsynced writes stay dirty, as in the page cache */
    pthread_mutex_unlock(&lock);
  }
  return real_close(fd);
}
