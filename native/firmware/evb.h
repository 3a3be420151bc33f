/* EVB/1 evaluator board: portable core (framing, CRC, COBS, debounce, event buffer, commands). */
#ifndef EVB_H
#define EVB_H
#include <stddef.h>
#include <stdint.h>

#define EVB_VERSION 1
#define EVB_MAX_PAYLOAD 200
#define EVB_MAX_ENCODED 256
/* Longest wire frame: COBS of 206 bytes (+1 code byte) plus the delimiter. */
#define EVB_MAX_WIRE 210
#define EVB_EVENT_BUFFER 32
#define EVB_MAX_KEYS 6
#define EVB_MAX_LEDS 8
#define EVB_RESEND_MS 250u
#define EVB_STUCK_MS 10000u

enum {
  EVB_HELLO = 0x01, EVB_LEDS = 0x02, EVB_BEEP = 0x03, EVB_EVENTS_ACK = 0x04, EVB_PING = 0x05, EVB_CONFIG = 0x06,
  EVB_INFO = 0x81, EVB_KEY = 0x82, EVB_ACK = 0x84, EVB_PONG = 0x85, EVB_NAK = 0x86
};
enum { EVB_NAK_BAD_LENGTH = 1, EVB_NAK_UNKNOWN_TYPE = 2, EVB_NAK_OUT_OF_RANGE = 3 };
enum { EVB_OK = 0, EVB_ERR_COBS = -1, EVB_ERR_LENGTH = -2, EVB_ERR_CRC = -3, EVB_ERR_VERSION = -4, EVB_ERR_OVERFLOW = -5 };

typedef struct {
  uint8_t type, seq, len;
  uint8_t payload[EVB_MAX_PAYLOAD];
} evb_frame_t;

uint16_t evb_crc16(const uint8_t *data, size_t n);
/* out must hold n + n/254 + 1 bytes; returns the encoded length (no delimiter). */
size_t evb_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* Returns the decoded length, or -1 for an invalid encoding or too small an output. */
int evb_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
/* Wire bytes including the 0x00 delimiter into out[EVB_MAX_WIRE]; returns their count (0 if len > 200). */
size_t evb_frame_encode(uint8_t type, uint8_t seq, const uint8_t *payload, uint8_t len, uint8_t *out);
/* Decodes one COBS-encoded frame (delimiter stripped). EVB_OK or an EVB_ERR_*. */
int evb_frame_decode(const uint8_t *enc, size_t n, evb_frame_t *f);

/* Streaming receiver: resynchronises at the next 0x00 after any damage. */
typedef struct {
  uint8_t buf[EVB_MAX_ENCODED];
  uint16_t n;
  uint8_t discarding;
  uint32_t line_errors;
} evb_rx_t;
void evb_rx_init(evb_rx_t *rx);
/* Returns 1 when b completed a valid frame (in *f), else 0. */
int evb_rx_byte(evb_rx_t *rx, uint8_t b, evb_frame_t *f);

typedef struct {
  uint8_t key_count, led_count;
  uint8_t buzzer, staff_key;
  char serial[8];
  const char *firmware;
} evb_config_t;

typedef struct {
  uint32_t counter, uptime_ms, last_sent_ms;
  uint8_t key;
} evb_event_t;

typedef struct {
  evb_config_t cfg;
  uint32_t boot_id, next_counter, boot_ms;
  uint8_t seq;
  evb_event_t events[EVB_EVENT_BUFFER];
  uint8_t ev_first, ev_count, overflow;
  uint8_t debounce_ms;
  uint8_t key_raw[EVB_MAX_KEYS], key_stable[EVB_MAX_KEYS];
  uint32_t key_raw_since[EVB_MAX_KEYS], key_down_since[EVB_MAX_KEYS];
  uint8_t led_mode[EVB_MAX_LEDS], led_level[EVB_MAX_LEDS];
  uint32_t led_since[EVB_MAX_LEDS];
  evb_rx_t rx;
} evb_board_t;

/* Power-up: random boot id, counter 1, empty buffer, LEDs off, INFO sent unprompted. */
void evb_init(evb_board_t *b, const evb_config_t *cfg);
/* One pass of the main loop: received bytes, keys, resends, LED patterns. Call often (≤ 1 ms apart). */
void evb_poll(evb_board_t *b);
/* Acts on one received frame (exposed for tests). */
void evb_handle_frame(evb_board_t *b, const evb_frame_t *f);
/* Records a debounced press of key 1..6 and sends it (exposed for tests and for boards with
 * their own debouncing). */
void evb_press(evb_board_t *b, uint8_t key);
uint8_t evb_pong_status(const evb_board_t *b);

#endif
