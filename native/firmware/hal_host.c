/* Host HAL: the reference firmware as a Linux process on a serial device (e.g. a socat pty).
 *   evb-host <device> [serial]
 * stdin lines: "press N" (key 1..6), "reboot", "quit". stderr: LED modes, buzzer, boot, buffer. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "evb.h"
#include "evb_hal.h"

static const char *dev_path;
static int fd = -1;
static struct timespec t0;
static uint8_t rxbuf[512];
static size_t rx_n, rx_at;

/* Simulated key presses: a FIFO of keys, each held down then released for debounce + 15 ms. */
static uint8_t queue[256];
static unsigned q_head, q_len;
static uint8_t active_key;
static uint32_t active_until, gap_until;
static evb_board_t board;

uint32_t hal_millis(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint32_t)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
}

static void close_dev(void) {
  if (fd >= 0) close(fd);
  fd = -1;
  rx_n = rx_at = 0;
}

static int open_dev(void) {
  int f = open(dev_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (f < 0) return -1;
  struct termios tio;
  if (tcgetattr(f, &tio) == 0) {
    cfmakeraw(&tio);
    cfsetispeed(&tio, B115200);
    cfsetospeed(&tio, B115200);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= (tcflag_t)~CRTSCTS;
    tcsetattr(f, TCSANOW, &tio);
  }
  fd = f;
  fprintf(stderr, "port open %s\n", dev_path);
  return 0;
}

int hal_read_byte(void) {
  if (rx_at < rx_n) return rxbuf[rx_at++];
  if (fd < 0) return -1;
  ssize_t n = read(fd, rxbuf, sizeof rxbuf);
  if (n > 0) {
    rx_n = (size_t)n;
    rx_at = 1;
    return rxbuf[0];
  }
  /* EIO / EOF: the other side of the pty is gone (cable out); reopen later. */
  if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
    fprintf(stderr, "port lost\n");
    close_dev();
  }
  return -1;
}

void hal_write(const uint8_t *data, size_t n) {
  size_t off = 0;
  int spins = 0;
  while (fd >= 0 && off < n && spins < 1000) {
    ssize_t w = write(fd, data + off, n - off);
    if (w > 0) off += (size_t)w;
    else if (w < 0 && errno != EAGAIN && errno != EINTR) return; /* cable out: the frame is lost, resends cover it */
    else spins++;
  }
}

uint8_t hal_key_down(uint8_t key) { return active_key == key && hal_millis() < active_until; }

static uint8_t led_printed[EVB_MAX_LEDS + 1];
static int led_init;
void hal_led(uint8_t led, uint8_t on) {
  (void)led;
  (void)on; /* levels blink; the modes are printed from the main loop instead */
}

void hal_beep(uint16_t freq_hz, uint16_t duration_ms) { fprintf(stderr, "beep %u %u\n", freq_hz, duration_ms); }

uint32_t hal_random32(void) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint32_t)time(NULL) ^ (uint32_t)getpid();
  return r;
}

static void feed_keys(void) {
  uint32_t now = hal_millis();
  if (active_key && now >= active_until) {
    active_key = 0;
    gap_until = now + board.debounce_ms + 15u;
  }
  if (!active_key && q_len && now >= gap_until) {
    active_key = queue[q_head];
    q_head = (q_head + 1) % 256;
    q_len--;
    active_until = now + board.debounce_ms + 15u;
  }
}

static void report(void) {
  static uint8_t last_pending = 255;
  int changed = !led_init;
  for (int i = 0; i < board.cfg.led_count; i++)
    if (board.led_mode[i] != led_printed[i]) changed = 1;
  if (changed) {
    led_init = 1;
    fprintf(stderr, "leds");
    for (int i = 0; i < board.cfg.led_count; i++) {
      led_printed[i] = board.led_mode[i];
      fprintf(stderr, " %u", board.led_mode[i]);
    }
    fprintf(stderr, "\n");
  }
  if (board.ev_count != last_pending) {
    last_pending = board.ev_count;
    fprintf(stderr, "pending %u\n", board.ev_count);
  }
}

static int command(char *line) {
  unsigned k;
  if (sscanf(line, "press %u", &k) == 1) {
    if (k >= 1 && k <= board.cfg.key_count && q_len < 256) {
      queue[(q_head + q_len) % 256] = (uint8_t)k;
      q_len++;
    } else fprintf(stderr, "bad key %u\n", k);
  } else if (strncmp(line, "reboot", 6) == 0) {
    evb_config_t cfg = board.cfg;
    evb_init(&board, &cfg);
    fprintf(stderr, "boot %08x\n", board.boot_id);
    led_init = 0;
  } else if (strncmp(line, "quit", 4) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <serial device> [board serial]\n", argv[0]);
    return 2;
  }
  dev_path = argv[1];
  clock_gettime(CLOCK_MONOTONIC, &t0);
  setvbuf(stderr, NULL, _IOLBF, 0);
  evb_config_t cfg = {.key_count = 6, .led_count = 6, .buzzer = 1, .staff_key = 1, .firmware = "evb-ref-1.0.0 host"};
  memset(cfg.serial, ' ', 8);
  memcpy(cfg.serial, argc > 2 ? argv[2] : "HOST0001", strnlen(argc > 2 ? argv[2] : "HOST0001", 8));
  open_dev();
  evb_init(&board, &cfg);
  fprintf(stderr, "boot %08x\n", board.boot_id);
  char line[128];
  size_t line_n = 0;
  uint32_t last_try = 0;
  for (;;) {
    if (fd < 0 && hal_millis() - last_try >= 50) {
      last_try = hal_millis();
      open_dev();
    }
    struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    poll(p, fd >= 0 ? 2 : 1, 1);
    if (p[0].revents & (POLLIN | POLLHUP)) {
      char c;
      ssize_t n = read(0, &c, 1);
      if (n <= 0) break; /* parent gone */
      if (c == '\n') {
        line[line_n] = 0;
        line_n = 0;
        if (command(line)) break;
      } else if (line_n < sizeof line - 1) line[line_n++] = c;
    }
    feed_keys();
    evb_poll(&board);
    report();
  }
  close_dev();
  return 0;
}
