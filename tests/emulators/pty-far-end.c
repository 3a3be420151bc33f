/*
 * The far end of a serial line for tests, with no relay in between: a pseudo-terminal whose
 * master this process holds. It prints the slave's path, then obeys lines on stdin:
 *   send <text>   write <text> to the line
 *   drain         from now on, read everything the line carries (until then nothing is read,
 *                 so a writer on the slave side meets a full buffer)
 *   count         print how many bytes were read so far
 * A relay such as socat cannot stand in here: when the side that does not read fills up, the
 * relay blocks in its write and stops carrying the other direction too.
 * Any failure is said on stderr with a non-zero exit.
 *   cc -O2 -Wall -Werror -o pty-far-end pty-far-end.c
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE /* cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "pty-far-end: %s: %s\n", what, strerror(errno));
  return 2;
}

int main(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return fail("posix_openpt");
  const char *name = ptsname(master);
  if (name == NULL) return fail("ptsname");
  /* Held open so the line stays up between the test's opens; raw, so bytes pass unchanged. */
  int slave = open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) return fail("open slave");
  struct termios t;
  if (tcgetattr(slave, &t) != 0) return fail("tcgetattr");
  cfmakeraw(&t);
  if (tcsetattr(slave, TCSANOW, &t) != 0) return fail("tcsetattr");
  printf("%s\n", name);
  fflush(stdout);

  int draining = 0;
  unsigned long long received = 0;
  char line[4096];
  size_t used = 0;
  for (;;) {
    fd_set in;
    FD_ZERO(&in);
    FD_SET(0, &in);
    if (draining) FD_SET(master, &in);
    if (select(master + 1, &in, NULL, NULL, NULL) < 0) {
      if (errno == EINTR) continue;
      return fail("select");
    }
    if (draining && FD_ISSET(master, &in)) {
      char buf[65536];
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) received += (unsigned long long)n;
    }
    if (!FD_ISSET(0, &in)) continue;
    if (used == sizeof line - 1) {
      errno = EMSGSIZE;
      return fail("a command line longer than 4 KB");
    }
    ssize_t n = read(0, line + used, sizeof line - 1 - used);
    if (n <= 0) return 0; /* the test is gone */
    used += (size_t)n;
    char *end;
    while ((end = memchr(line, '\n', used)) != NULL) {
      *end = '\0';
      if (strncmp(line, "send ", 5) == 0) {
        size_t len = strlen(line + 5);
        if (write(master, line + 5, len) != (ssize_t)len) return fail("send");
      } else if (strcmp(line, "drain") == 0) {
        draining = 1;
      } else if (strcmp(line, "count") == 0) {
        printf("%llu\n", received);
        fflush(stdout);
      }
      size_t rest = used - (size_t)(end + 1 - line);
      memmove(line, end + 1, rest);
      used = rest;
    }
  }
}
