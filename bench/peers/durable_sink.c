/* durable_sink: the least a durable SMTP server can do, as a benchmark peer.
 *
 * One epoll loop, no queue and no database: each message is written to a
 * journal file (zero-filled ahead and overwritten in place, so a flush
 * writes no file metadata) and answered 250 only after an fdatasync of the
 * journal that started after its write, a group commit. It answers the rest
 * of SMTP at once, like smtp-sink. What it measures: the ceiling of any
 * server that answers 250 only once the message is on disk, on this
 * machine, under the load smtp-source makes. It is not a mail server: it
 * checks nothing and keeps nothing readable.
 *
 * Two ways to flush:
 *   pipelined (the default): the loop hands the messages of its turn to
 *     flush threads and goes on serving; the first idle one runs one
 *     fdatasync for everything handed over so far and gives the sessions
 *     back through an eventfd. Two flush threads, as the disk takes two
 *     flushes in flight at once without slowing either.
 *   loop: one fdatasync at the end of each turn of the loop, on the loop's
 *     own thread (no hand-off, but nothing is served while it runs).
 *
 * Usage: durable_sink PORT JOURNAL [pipelined|loop|nosync]
 *   JOURNAL  made and zero-filled at the first start, reused at later ones
 *   nosync   answer without the fdatasync: the loop's ceiling without
 *            durability
 * Build: cc -O2 -pthread -o durable_sink durable_sink.c */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_BYTES (256L << 20)
#define MAX_EVENTS 256
#define IN_BYTES 65536
#define FLUSH_THREADS 2

struct session {
  int fd;
  int in_data;
  int waiting; /* message complete, 250 due after the next flush */
  size_t in_len;
  char in[IN_BYTES];
  char* msg;
  size_t msg_len, msg_cap;
  struct session* next_waiting;
};

static void fail(const char* what) {
  perror(what);
  exit(1);
}

/* Short replies on loopback go out whole; one that fails means the client
 * went away, and its next read ends the session. */
static void reply(struct session* s, const char* text) {
  (void)send(s->fd, text, strlen(text), MSG_NOSIGNAL);
}

static void keep(struct session* s, const char* line, size_t len) {
  if (s->msg_len + len > s->msg_cap) {
    s->msg_cap = (s->msg_len + len) * 2;
    s->msg = realloc(s->msg, s->msg_cap);
    if (!s->msg) fail("realloc");
  }
  memcpy(s->msg + s->msg_len, line, len);
  s->msg_len += len;
}

static int journal_fd;
static off_t journal_at;

/* Overwrites the journal in place, wrapping around at its end. */
static void journal_write(const char* data, size_t len) {
  if (len > JOURNAL_BYTES) len = JOURNAL_BYTES;
  if (journal_at + (off_t)len > JOURNAL_BYTES) journal_at = 0;
  if (pwrite(journal_fd, data, len, journal_at) != (ssize_t)len) fail("pwrite");
  journal_at += (off_t)len;
}

static struct session* waiting_head; /* written in this turn of the loop */

/* Puts list `more` (linked by next_waiting) in front of `*to`. */
static void prepend_list(struct session** to, struct session* more) {
  if (!more) return;
  struct session* last = more;
  while (last->next_waiting) last = last->next_waiting;
  last->next_waiting = *to;
  *to = more;
}

/* The pipelined flush: sessions go loop -> to_flush -> a flush thread ->
 * flushed -> the loop (woken through flushed_fd). */
static pthread_mutex_t flush_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flush_cv = PTHREAD_COND_INITIALIZER;
static struct session* to_flush; /* guarded by flush_mu */
static struct session* flushed;  /* guarded by flush_mu */
static int flushed_fd;

static void* flush_thread(void* unused) {
  (void)unused;
  for (;;) {
    pthread_mutex_lock(&flush_mu);
    while (!to_flush) pthread_cond_wait(&flush_cv, &flush_mu);
    struct session* batch = to_flush; /* all written before this flush starts */
    to_flush = NULL;
    pthread_mutex_unlock(&flush_mu);
    if (fdatasync(journal_fd) != 0) fail("fdatasync");
    pthread_mutex_lock(&flush_mu);
    prepend_list(&flushed, batch);
    pthread_mutex_unlock(&flush_mu);
    uint64_t one = 1;
    if (write(flushed_fd, &one, sizeof one) != sizeof one) fail("eventfd write");
  }
  return NULL;
}

/* Answers the sessions of a flushed list; frees those closed meanwhile. */
static void answer(struct session* list) {
  while (list) {
    struct session* s = list;
    list = s->next_waiting;
    s->waiting = 0;
    if (s->fd >= 0) {
      reply(s, "250 2.0.0 Ok: queued\r\n");
    } else {
      free(s->msg);
      free(s);
    }
  }
}

/* One line (with its CRLF). Returns 0 when the session ends. */
static int line(struct session* s, char* text, size_t len) {
  if (s->in_data) {
    if (len >= 3 && text[0] == '.' && text[1] == '\r' && text[2] == '\n') {
      s->in_data = 0;
      journal_write(s->msg, s->msg_len);
      s->msg_len = 0;
      s->waiting = 1;
      s->next_waiting = waiting_head;
      waiting_head = s;
    } else {
      keep(s, text, len);
    }
    return 1;
  }
  if (len >= 4 && strncasecmp(text, "EHLO", 4) == 0) {
    reply(s, "250-durable-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n");
  } else if (len >= 4 && strncasecmp(text, "DATA", 4) == 0) {
    s->in_data = 1;
    reply(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
  } else if (len >= 4 && strncasecmp(text, "QUIT", 4) == 0) {
    reply(s, "221 2.0.0 Bye\r\n");
    return 0;
  } else {
    reply(s, "250 2.0.0 Ok\r\n");
  }
  return 1;
}

/* Reads what the socket has; returns 0 when the session ends. */
static int readable(struct session* s) {
  for (;;) {
    ssize_t n = recv(s->fd, s->in + s->in_len, IN_BYTES - s->in_len, 0);
    if (n == 0) return 0;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    s->in_len += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < s->in_len; ++i) {
      if (s->in[i] != '\n') continue;
      if (!line(s, s->in + start, i + 1 - start)) return 0;
      start = i + 1;
    }
    if (start == 0 && s->in_len == IN_BYTES) return 0; /* a line longer than the buffer */
    memmove(s->in, s->in + start, s->in_len - start);
    s->in_len -= start;
  }
}

static void close_session(struct session* s) {
  /* A session still waiting for its flush is unlinked by the flush. */
  close(s->fd);
  s->fd = -1;
  if (!s->waiting) {
    free(s->msg);
    free(s);
  }
}

int main(int argc, char** argv) {
  static const char* const mode_names[] = {"pipelined", "loop", "nosync"};
  enum { pipelined, loop, nosync, unknown } mode = pipelined;
  if (argc > 3) {
    mode = unknown;
    for (int m = pipelined; m < unknown; ++m) {
      if (strcmp(argv[3], mode_names[m]) == 0) mode = m;
    }
  }
  if (argc < 3 || mode == unknown) {
    fprintf(stderr, "usage: durable_sink PORT JOURNAL [pipelined|loop|nosync]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  /* A journal a previous start filled is reused as it is: its blocks are
   * written already, and filling it again would put 256 MiB of writeback
   * on the disk before every measurement. */
  journal_fd = open(argv[2], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (journal_fd < 0) fail("open journal");
  struct stat held;
  if (fstat(journal_fd, &held) != 0) fail("fstat journal");
  if (held.st_size < JOURNAL_BYTES) {
    static char zeros[1 << 20];
    for (off_t at = 0; at < JOURNAL_BYTES; at += (off_t)sizeof zeros) {
      if (pwrite(journal_fd, zeros, sizeof zeros, at) != (ssize_t)sizeof zeros) fail("zero-fill");
    }
    if (fsync(journal_fd) != 0) fail("fsync");
  }

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) fail("bind");
  if (listen(listener, 1024) != 0) fail("listen");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  static struct session flushed_marker; /* the epoll tag of flushed_fd */
  if (mode == pipelined) {
    flushed_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (flushed_fd < 0) fail("eventfd");
    struct epoll_event fev = {.events = EPOLLIN, .data.ptr = &flushed_marker};
    epoll_ctl(ep, EPOLL_CTL_ADD, flushed_fd, &fev);
    for (int i = 0; i < FLUSH_THREADS; ++i) {
      pthread_t thread;
      if (pthread_create(&thread, NULL, flush_thread, NULL) != 0) fail("pthread_create");
    }
  }

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(ep, events, MAX_EVENTS, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("epoll_wait");
    for (int i = 0; i < n; ++i) {
      struct session* s = events[i].data.ptr;
      if (s == &flushed_marker) {
        uint64_t count;
        if (read(flushed_fd, &count, sizeof count) < 0 && errno != EAGAIN) fail("eventfd read");
        pthread_mutex_lock(&flush_mu);
        struct session* done = flushed;
        flushed = NULL;
        pthread_mutex_unlock(&flush_mu);
        answer(done);
        continue;
      }
      if (!s) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          struct session* c = calloc(1, sizeof *c);
          if (!c) fail("calloc");
          c->fd = fd;
          struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
          reply(c, "220 durable-sink ESMTP\r\n");
        }
        continue;
      }
      if (s->fd >= 0 && !readable(s)) close_session(s);
    }
    if (!waiting_head) continue;
    struct session* turn = waiting_head;
    waiting_head = NULL;
    if (mode == pipelined) {
      pthread_mutex_lock(&flush_mu);
      prepend_list(&to_flush, turn);
      pthread_mutex_unlock(&flush_mu);
      pthread_cond_signal(&flush_cv);
      continue;
    }
    if (mode == loop && fdatasync(journal_fd) != 0) fail("fdatasync");
    answer(turn);
  }
}
