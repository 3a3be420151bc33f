/* Unit tests of the portable core against a fake HAL: §5 vectors, codec, board behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../evb.h"
#include "../evb_hal.h"

static int failures, checks;
#define CHECK(c)                                                        \
  do {                                                                  \
    checks++;                                                           \
    if (!(c)) {                                                         \
      failures++;                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
    }                                                                   \
  } while (0)

/* ---- fake HAL -------------------------------------------------------------------------- */
static uint32_t now_ms;
static uint8_t in_bytes[4096];
static size_t in_n, in_at;
static uint8_t out_bytes[65536];
static size_t out_n;
static uint8_t keys[7];
static uint16_t beep_f, beep_d;
static uint32_t next_random = 0x1234abcd;

uint32_t hal_millis(void) { return now_ms; }
int hal_read_byte(void) { return in_at < in_n ? in_bytes[in_at++] : -1; }
void hal_write(const uint8_t *d, size_t n) {
  if (out_n + n <= sizeof out_bytes) memcpy(out_bytes + out_n, d, n), out_n += n;
}
uint8_t hal_key_down(uint8_t k) { return keys[k]; }
void hal_led(uint8_t led, uint8_t on) { (void)led, (void)on; }
void hal_beep(uint16_t f, uint16_t d) { beep_f = f, beep_d = d; }
uint32_t hal_random32(void) { return next_random; }

static int hex_eq(const uint8_t *b, size_t n, const char *hex) {
  char buf[1024] = {0};
  for (size_t i = 0; i < n; i++) sprintf(buf + strlen(buf), i ? " %02x" : "%02x", b[i]);
  if (strcmp(buf, hex) != 0) fprintf(stderr, "  got  %s\n  want %s\n", buf, hex);
  return strcmp(buf, hex) == 0;
}

/* Frames the board sent since the last call. */
static int take_frames(evb_frame_t *out, int max) {
  evb_rx_t rx;
  evb_rx_init(&rx);
  int n = 0;
  for (size_t i = 0; i < out_n && n < max; i++)
    if (evb_rx_byte(&rx, out_bytes[i], &out[n])) n++;
  CHECK(rx.line_errors == 0);
  out_n = 0;
  return n;
}

static void host_sends(uint8_t type, uint8_t seq, const uint8_t *p, uint8_t len) {
  size_t n = evb_frame_encode(type, seq, p, len, in_bytes + in_n);
  in_n += n;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_vectors(void) {
  uint8_t w[EVB_MAX_WIRE];
  CHECK(evb_crc16((const uint8_t *)"123456789", 9) == 0x29B1);
  size_t n = evb_frame_encode(EVB_HELLO, 0, NULL, 0, w);
  CHECK(hex_eq(w, n, "03 01 01 01 03 c5 44 00"));
  const uint8_t leds[6] = {0, 0, 0, 0, 1, 2};
  n = evb_frame_encode(EVB_LEDS, 7, leds, 6, w);
  CHECK(hex_eq(w, n, "05 01 02 07 06 01 01 01 05 01 02 3d 55 00"));
  const uint8_t key[14] = {0x12, 0x34, 0xab, 0xcd, 0, 0, 0, 0x2a, 2, 1, 0x00, 0x09, 0x27, 0xc0};
  n = evb_frame_encode(EVB_KEY, 3, key, 14, w);
  CHECK(hex_eq(w, n, "09 01 82 03 0e 12 34 ab cd 01 01 04 2a 02 01 06 09 27 c0 2b bd 00"));
  const uint8_t ack[8] = {0x12, 0x34, 0xab, 0xcd, 0, 0, 0, 0x2a};
  n = evb_frame_encode(EVB_EVENTS_ACK, 9, ack, 8, w);
  CHECK(hex_eq(w, n, "09 01 04 09 08 12 34 ab cd 01 01 04 2a 45 03 00"));
  evb_frame_t f;
  CHECK(evb_frame_decode(w, n - 1, &f) == EVB_OK && f.type == EVB_EVENTS_ACK && f.seq == 9 && f.len == 8 && memcmp(f.payload, ack, 8) == 0);
  uint8_t raw[32];
  int m = evb_cobs_decode(w, n - 1, raw, sizeof raw);
  CHECK(m == 14 && hex_eq(raw, (size_t)m, "01 04 09 08 12 34 ab cd 00 00 00 2a 45 03"));
}

static void test_codec_errors(void) {
  evb_frame_t f;
  uint8_t raw[6] = {1, 1, 0, 0, 0xc5, 0x44}, enc[16];
  size_t n = evb_cobs_encode(raw, 6, enc);
  CHECK(evb_frame_decode(enc, n, &f) == EVB_OK);
  raw[5] ^= 1;
  n = evb_cobs_encode(raw, 6, enc);
  CHECK(evb_frame_decode(enc, n, &f) == EVB_ERR_CRC);
  raw[5] ^= 1;
  raw[3] = 1;
  n = evb_cobs_encode(raw, 6, enc);
  CHECK(evb_frame_decode(enc, n, &f) == EVB_ERR_LENGTH);
  uint8_t v2[6] = {2, 1, 0, 0, 0, 0};
  uint16_t c = evb_crc16(v2, 4);
  v2[4] = (uint8_t)(c >> 8), v2[5] = (uint8_t)c;
  n = evb_cobs_encode(v2, 6, enc);
  CHECK(evb_frame_decode(enc, n, &f) == EVB_ERR_VERSION);
  const uint8_t bad_cobs[3] = {5, 1, 1};
  CHECK(evb_frame_decode(bad_cobs, 3, &f) == EVB_ERR_COBS);
}

static void test_rx_resync_and_fuzz(void) {
  evb_rx_t rx;
  evb_frame_t f;
  evb_rx_init(&rx);
  /* 300 bytes without a delimiter: discarded up to the next 0x00, then a PING is read. */
  int got = 0;
  for (int i = 0; i < 300; i++) got += evb_rx_byte(&rx, 7, &f);
  CHECK(got == 0 && rx.line_errors == 1);
  uint8_t w[EVB_MAX_WIRE];
  size_t n = evb_frame_encode(EVB_PING, 4, NULL, 0, w);
  for (size_t i = 0; i < n; i++) got += evb_rx_byte(&rx, w[i], &f);
  CHECK(got == 0); /* the PING's bytes followed the junk without a delimiter: swallowed */
  for (size_t i = 0; i < n; i++) got += evb_rx_byte(&rx, w[i], &f);
  CHECK(got == 1 && f.type == EVB_PING && f.seq == 4);

  /* Random frames with up to 3 flipped bits are never accepted; the next frame always is. */
  srand(12345);
  int accepted_bad = 0, resynced = 0;
  for (int t = 0; t < 20000; t++) {
    uint8_t p[EVB_MAX_PAYLOAD];
    uint8_t len = (uint8_t)(rand() % 40);
    for (int i = 0; i < len; i++) p[i] = (uint8_t)rand();
    n = evb_frame_encode((uint8_t)rand(), (uint8_t)rand(), p, len, w);
    int flips = 1 + rand() % 3;
    uint8_t orig[EVB_MAX_WIRE];
    memcpy(orig, w, n);
    for (int k = 0; k < flips; k++) w[rand() % (n - 1)] ^= (uint8_t)(1u << (rand() % 8));
    if (memcmp(orig, w, n) == 0) continue;
    evb_rx_init(&rx);
    for (size_t i = 0; i < n; i++) {
      evb_frame_t g;
      if (evb_rx_byte(&rx, w[i], &g)) {
        /* A flip may only ever produce a frame that exists unflipped in the stream: none here. */
        accepted_bad++;
      }
    }
    uint8_t w2[EVB_MAX_WIRE];
    size_t n2 = evb_frame_encode(EVB_PING, 1, NULL, 0, w2);
    evb_rx_byte(&rx, 0, &f);
    int ok = 0;
    for (size_t i = 0; i < n2; i++) ok += evb_rx_byte(&rx, w2[i], &f);
    resynced += ok;
  }
  CHECK(resynced > 19000);
  if (accepted_bad) fprintf(stderr, "  (%d damaged frames accepted)\n", accepted_bad);
  CHECK(accepted_bad <= 1); /* CRC-16 lets through 2^-16 of multi-byte COBS damage */
}

static evb_board_t b;
static evb_config_t cfg = {.key_count = 6, .led_count = 6, .buzzer = 1, .staff_key = 1, .serial = {'T', 'E', 'S', 'T', '0', '0', '0', '1'}, .firmware = "test-fw"};

static void run(uint32_t ms) {
  for (uint32_t i = 0; i < ms; i++) {
    now_ms++;
    evb_poll(&b);
  }
}

static void test_board(void) {
  evb_frame_t fr[64];
  now_ms = 1000;
  out_n = in_n = in_at = 0;
  evb_init(&b, &cfg);
  int n = take_frames(fr, 64);
  CHECK(n == 1 && fr[0].type == EVB_INFO && fr[0].len == 16 + 7 && memcmp(fr[0].payload + 4, "TEST0001", 8) == 0);
  CHECK(fr[0].payload[12] == 0x12 && fr[0].payload[15] == 0xcd && fr[0].payload[3] == 3);

  host_sends(EVB_HELLO, 77, NULL, 0);
  run(1);
  n = take_frames(fr, 64);
  CHECK(n == 1 && fr[0].type == EVB_INFO && fr[0].seq == 77);

  /* NAK reasons. */
  const uint8_t bad_leds[2] = {1, 5}, good_leds[6] = {2, 2, 2, 2, 2, 1}, cfg_bad[1] = {4}, cfg_ok[1] = {30};
  const uint8_t beep_bad[4] = {0, 50, 0, 10}, beep_ok[4] = {0x07, 0xd0, 0, 150};
  host_sends(EVB_LEDS, 1, bad_leds, 2);
  host_sends(EVB_LEDS, 2, bad_leds, 0);
  host_sends(0x42, 3, NULL, 0);
  host_sends(EVB_BEEP, 4, beep_bad, 4);
  host_sends(EVB_CONFIG, 5, cfg_bad, 1);
  host_sends(EVB_LEDS, 6, good_leds, 6);
  host_sends(EVB_BEEP, 7, beep_ok, 4);
  host_sends(EVB_CONFIG, 8, cfg_ok, 1);
  host_sends(EVB_PING, 9, cfg_ok, 1);
  run(1);
  n = take_frames(fr, 64);
  CHECK(n == 9);
  CHECK(fr[0].type == EVB_NAK && fr[0].seq == 1 && fr[0].payload[0] == EVB_NAK_OUT_OF_RANGE);
  CHECK(fr[1].type == EVB_NAK && fr[1].payload[0] == EVB_NAK_BAD_LENGTH);
  CHECK(fr[2].type == EVB_NAK && fr[2].payload[0] == EVB_NAK_UNKNOWN_TYPE);
  CHECK(fr[3].type == EVB_NAK && fr[3].payload[0] == EVB_NAK_OUT_OF_RANGE);
  CHECK(fr[4].type == EVB_NAK && fr[4].payload[0] == EVB_NAK_OUT_OF_RANGE);
  CHECK(fr[5].type == EVB_ACK && fr[5].seq == 6 && b.led_mode[5] == 1 && b.led_mode[0] == 2);
  CHECK(fr[6].type == EVB_ACK && beep_f == 2000 && beep_d == 150);
  CHECK(fr[7].type == EVB_ACK && b.debounce_ms == 30);
  CHECK(fr[8].type == EVB_NAK && fr[8].seq == 9 && fr[8].payload[0] == EVB_NAK_BAD_LENGTH);

  /* A bouncing key: one KEY after the level has been stable for the debounce time. */
  for (int i = 0; i < 10; i++) {
    keys[2] = (uint8_t)(i & 1 ? 0 : 1);
    run(2);
  }
  keys[2] = 1;
  run(29);
  n = take_frames(fr, 64);
  CHECK(n == 0);
  run(2);
  n = take_frames(fr, 64);
  CHECK(n == 1 && fr[0].type == EVB_KEY && fr[0].len == 14 && fr[0].payload[7] == 1 && fr[0].payload[8] == 2 && fr[0].payload[9] == 1);
  run(100);
  keys[2] = 0;
  run(100);
  n = take_frames(fr, 64);
  CHECK(n == 0); /* held and released: still one KEY; the resend comes at 250 ms */
  run(60);
  n = take_frames(fr, 64);
  CHECK(n == 1 && fr[0].type == EVB_KEY && fr[0].payload[7] == 1);

  /* EVENTS_ACK with another boot id changes nothing; with ours it clears the buffer. */
  uint8_t a[8] = {0, 0, 0, 9, 0, 0, 0, 1};
  host_sends(EVB_EVENTS_ACK, 10, a, 8);
  run(1);
  CHECK(b.ev_count == 1);
  a[0] = 0x12, a[1] = 0x34, a[2] = 0xab, a[3] = 0xcd;
  host_sends(EVB_EVENTS_ACK, 11, a, 8);
  run(1);
  CHECK(b.ev_count == 0);
  take_frames(fr, 64);
  run(600);
  CHECK(take_frames(fr, 64) == 0);

  /* Overflow: 33 presses without acknowledgement drop counter 2 (the oldest unacked) and set bit1. */
  for (int i = 0; i < 33; i++) evb_press(&b, 1);
  CHECK(b.ev_count == EVB_EVENT_BUFFER && b.events[b.ev_first].counter == 3 && b.overflow);
  out_n = 0;
  host_sends(EVB_PING, 12, NULL, 0);
  run(1);
  n = take_frames(fr, 64);
  CHECK(n >= 1 && fr[n - 1].type == EVB_PONG && fr[n - 1].payload[4] == 2);
  host_sends(EVB_HELLO, 13, NULL, 0);
  host_sends(EVB_PING, 14, NULL, 0);
  run(1);
  n = take_frames(fr, 64);
  CHECK(n >= 2 && fr[n - 1].type == EVB_PONG && fr[n - 1].payload[4] == 0);

  /* Resend: all 32 again, oldest first, every 250 ms. */
  run(260);
  n = take_frames(fr, 64);
  CHECK(n == 32 && fr[0].payload[7] == 3 && fr[31].payload[7] == 34);

  /* Stuck key: bit0 after 10 s held. */
  keys[5] = 1;
  run(10100);
  out_n = 0;
  host_sends(EVB_PING, 15, NULL, 0);
  run(1);
  n = take_frames(fr, 64);
  CHECK(n >= 1 && fr[n - 1].type == EVB_PONG && (fr[n - 1].payload[4] & 1));
  keys[5] = 0;

  /* Reboot: new boot id, counter back to 1. */
  next_random = 0x55aa55aa;
  evb_init(&b, &cfg);
  evb_press(&b, 4);
  n = take_frames(fr, 64);
  CHECK(n == 2 && fr[1].type == EVB_KEY && fr[1].payload[0] == 0x55 && fr[1].payload[7] == 1);
}

int main(void) {
  test_vectors();
  test_codec_errors();
  test_rx_resync_and_fuzz();
  test_board();
  printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
