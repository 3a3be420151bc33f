/* EVB/1 reference firmware core. No dynamic memory, no floating point: fits an ATmega328P. */
#include "evb.h"
#include "evb_hal.h"

#include <string.h>

uint16_t evb_crc16(const uint8_t *data, size_t n) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < n; i++) {
    crc ^= (uint16_t)data[i] << 8;
    for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}

size_t evb_cobs_encode(const uint8_t *in, size_t n, uint8_t *out) {
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < n; i++) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = in[i];
      if (++code == 0xFF) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
      }
    }
  }
  out[code_at] = code;
  return o;
}

int evb_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0;
  if (n == 0) return -1;
  while (i < n) {
    uint8_t code = in[i++];
    if (code == 0 || i + code - 1 > n) return -1;
    for (uint8_t k = 1; k < code; k++) {
      if (in[i] == 0 || o >= cap) return -1;
      out[o++] = in[i++];
    }
    /* A 0xFF block and the last block carry no implied zero. */
    if (code != 0xFF && i < n) {
      if (o >= cap) return -1;
      out[o++] = 0;
    }
  }
  return (int)o;
}

size_t evb_frame_encode(uint8_t type, uint8_t seq, const uint8_t *payload, uint8_t len, uint8_t *out) {
  uint8_t raw[4 + EVB_MAX_PAYLOAD + 2];
  if (len > EVB_MAX_PAYLOAD) return 0;
  raw[0] = EVB_VERSION;
  raw[1] = type;
  raw[2] = seq;
  raw[3] = len;
  if (len) memcpy(raw + 4, payload, len);
  uint16_t crc = evb_crc16(raw, 4u + len);
  raw[4 + len] = (uint8_t)(crc >> 8);
  raw[5 + len] = (uint8_t)crc;
  size_t n = evb_cobs_encode(raw, 6u + len, out);
  out[n] = 0;
  return n + 1;
}

int evb_frame_decode(const uint8_t *enc, size_t n, evb_frame_t *f) {
  uint8_t raw[4 + EVB_MAX_PAYLOAD + 2];
  if (n > EVB_MAX_ENCODED) return EVB_ERR_OVERFLOW;
  int m = evb_cobs_decode(enc, n, raw, sizeof raw);
  if (m < 0) return EVB_ERR_COBS;
  if (m < 6) return EVB_ERR_LENGTH;
  uint16_t crc = evb_crc16(raw, (size_t)m - 2);
  int crc_ok = crc == (uint16_t)((raw[m - 2] << 8) | raw[m - 1]);
  if (raw[0] != EVB_VERSION) return crc_ok ? EVB_ERR_VERSION : EVB_ERR_CRC;
  if (raw[3] > EVB_MAX_PAYLOAD || m != 6 + raw[3]) return EVB_ERR_LENGTH;
  if (!crc_ok) return EVB_ERR_CRC;
  f->type = raw[1];
  f->seq = raw[2];
  f->len = raw[3];
  memcpy(f->payload, raw + 4, raw[3]);
  return EVB_OK;
}

void evb_rx_init(evb_rx_t *rx) { memset(rx, 0, sizeof *rx); }

int evb_rx_byte(evb_rx_t *rx, uint8_t b, evb_frame_t *f) {
  if (b == 0) {
    int done = 0;
    if (rx->discarding) rx->discarding = 0;
    else if (rx->n > 0) {
      if (evb_frame_decode(rx->buf, rx->n, f) == EVB_OK) done = 1;
      else rx->line_errors++;
    }
    rx->n = 0;
    return done;
  }
  if (rx->discarding) return 0;
  if (rx->n == EVB_MAX_ENCODED) {
    rx->discarding = 1;
    rx->n = 0;
    rx->line_errors++;
    return 0;
  }
  rx->buf[rx->n++] = b;
  return 0;
}

/* ---- board ------------------------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static uint32_t get32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

/* Helpers return int so the command switch can `return send(...)` in ISO C. */
static int send(evb_board_t *b, uint8_t type, uint8_t seq, const uint8_t *payload, uint8_t len) {
  uint8_t wire[EVB_MAX_WIRE];
  (void)b;
  size_t n = evb_frame_encode(type, seq, payload, len, wire);
  hal_write(wire, n);
  return 0;
}

static uint32_t uptime(const evb_board_t *b) { return hal_millis() - b->boot_ms; }

static int send_info(evb_board_t *b, uint8_t seq) {
  uint8_t p[EVB_MAX_PAYLOAD];
  size_t fw = strlen(b->cfg.firmware);
  if (fw > EVB_MAX_PAYLOAD - 16) fw = EVB_MAX_PAYLOAD - 16;
  p[0] = EVB_VERSION;
  p[1] = b->cfg.key_count;
  p[2] = b->cfg.led_count;
  p[3] = (uint8_t)((b->cfg.buzzer ? 1 : 0) | (b->cfg.staff_key ? 2 : 0));
  memcpy(p + 4, b->cfg.serial, 8);
  put32(p + 12, b->boot_id);
  memcpy(p + 16, b->cfg.firmware, fw);
  /* The overflow bit means "since the last INFO". */
  b->overflow = 0;
  return send(b, EVB_INFO, seq, p, (uint8_t)(16 + fw));
}

static void send_event(evb_board_t *b, evb_event_t *e) {
  uint8_t p[14];
  put32(p, b->boot_id);
  put32(p + 4, e->counter);
  p[8] = e->key;
  p[9] = 1;
  put32(p + 10, e->uptime_ms);
  e->last_sent_ms = hal_millis();
  send(b, EVB_KEY, ++b->seq, p, sizeof p);
}

static int nak(evb_board_t *b, uint8_t seq, uint8_t reason) { return send(b, EVB_NAK, seq, &reason, 1); }

void evb_init(evb_board_t *b, const evb_config_t *cfg) {
  memset(b, 0, sizeof *b);
  b->cfg = *cfg;
  if (b->cfg.key_count > EVB_MAX_KEYS) b->cfg.key_count = EVB_MAX_KEYS;
  if (b->cfg.led_count > EVB_MAX_LEDS) b->cfg.led_count = EVB_MAX_LEDS;
  do b->boot_id = hal_random32();
  while (b->boot_id == 0);
  b->next_counter = 1;
  b->boot_ms = hal_millis();
  b->debounce_ms = 20;
  evb_rx_init(&b->rx);
  for (uint8_t i = 0; i < b->cfg.led_count; i++) hal_led((uint8_t)(i + 1), 0);
  send_info(b, ++b->seq);
}

void evb_press(evb_board_t *b, uint8_t key) {
  if (b->ev_count == EVB_EVENT_BUFFER) {
    /* Full: the oldest is dropped; the host sees the gap and PONG bit1. */
    b->ev_first = (uint8_t)((b->ev_first + 1) % EVB_EVENT_BUFFER);
    b->ev_count--;
    b->overflow = 1;
  }
  evb_event_t *e = &b->events[(b->ev_first + b->ev_count) % EVB_EVENT_BUFFER];
  b->ev_count++;
  e->counter = b->next_counter++;
  e->key = key;
  e->uptime_ms = uptime(b);
  send_event(b, e);
}

uint8_t evb_pong_status(const evb_board_t *b) {
  uint8_t s = b->overflow ? 2 : 0;
  uint32_t now = hal_millis();
  for (uint8_t k = 0; k < b->cfg.key_count; k++)
    if (b->key_stable[k] && now - b->key_down_since[k] > EVB_STUCK_MS) s |= 1;
  return s;
}

static int events_ack(evb_board_t *b, uint32_t boot, uint32_t counter) {
  if (boot != b->boot_id) return 0;
  while (b->ev_count && b->events[b->ev_first].counter <= counter) {
    b->ev_first = (uint8_t)((b->ev_first + 1) % EVB_EVENT_BUFFER);
    b->ev_count--;
  }
  return 0;
}

static int handle(evb_board_t *b, const evb_frame_t *f);
void evb_handle_frame(evb_board_t *b, const evb_frame_t *f) { (void)handle(b, f); }

static int handle(evb_board_t *b, const evb_frame_t *f) {
  const uint8_t *p = f->payload;
  switch (f->type) {
    case EVB_HELLO:
      if (f->len != 0) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      return send_info(b, f->seq);
    case EVB_PING: {
      uint8_t q[5];
      if (f->len != 0) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      put32(q, uptime(b));
      q[4] = evb_pong_status(b);
      return send(b, EVB_PONG, f->seq, q, 5);
    }
    case EVB_LEDS:
      if (f->len < 1 || f->len > EVB_MAX_LEDS) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      for (uint8_t i = 0; i < f->len; i++)
        if (p[i] > 4) return nak(b, f->seq, EVB_NAK_OUT_OF_RANGE);
      for (uint8_t i = 0; i < f->len && i < b->cfg.led_count; i++) {
        b->led_mode[i] = p[i];
        b->led_since[i] = hal_millis();
      }
      return send(b, EVB_ACK, f->seq, NULL, 0);
    case EVB_BEEP: {
      if (f->len != 4) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      uint16_t freq = (uint16_t)((p[0] << 8) | p[1]), dur = (uint16_t)((p[2] << 8) | p[3]);
      if (freq < 100 || freq > 8000 || dur < 1 || dur > 2000) return nak(b, f->seq, EVB_NAK_OUT_OF_RANGE);
      if (b->cfg.buzzer) hal_beep(freq, dur);
      return send(b, EVB_ACK, f->seq, NULL, 0);
    }
    case EVB_CONFIG:
      if (f->len != 1) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      if (p[0] < 5 || p[0] > 100) return nak(b, f->seq, EVB_NAK_OUT_OF_RANGE);
      b->debounce_ms = p[0];
      return send(b, EVB_ACK, f->seq, NULL, 0);
    case EVB_EVENTS_ACK:
      if (f->len != 8) return nak(b, f->seq, EVB_NAK_BAD_LENGTH);
      return events_ack(b, get32(p), get32(p + 4));
    default:
      return nak(b, f->seq, EVB_NAK_UNKNOWN_TYPE);
  }
}

/* A key counts as pressed once its raw level has been steady for debounce_ms; one KEY per press. */
static void scan_keys(evb_board_t *b, uint32_t now) {
  for (uint8_t k = 0; k < b->cfg.key_count; k++) {
    uint8_t raw = hal_key_down((uint8_t)(k + 1)) ? 1 : 0;
    if (raw != b->key_raw[k]) {
      b->key_raw[k] = raw;
      b->key_raw_since[k] = now;
    } else if (raw != b->key_stable[k] && now - b->key_raw_since[k] >= b->debounce_ms) {
      b->key_stable[k] = raw;
      if (raw) {
        b->key_down_since[k] = now;
        evb_press(b, (uint8_t)(k + 1));
      }
    }
  }
}

static void drive_leds(evb_board_t *b, uint32_t now) {
  for (uint8_t i = 0; i < b->cfg.led_count; i++) {
    uint32_t t = now - b->led_since[i];
    uint8_t on;
    switch (b->led_mode[i]) {
      case 1: on = 1; break;
      case 2: on = (t % 1000u) < 500u; break;
      case 3: on = (t % 250u) < 125u; break;
      case 4:
        on = t < 200u;
        if (!on) b->led_mode[i] = 0;
        break;
      default: on = 0;
    }
    if (on != b->led_level[i]) {
      b->led_level[i] = on;
      hal_led((uint8_t)(i + 1), on);
    }
  }
}

void evb_poll(evb_board_t *b) {
  evb_frame_t f;
  int c;
  while ((c = hal_read_byte()) >= 0)
    if (evb_rx_byte(&b->rx, (uint8_t)c, &f)) evb_handle_frame(b, &f);
  uint32_t now = hal_millis();
  scan_keys(b, now);
  /* Oldest first, each once per resend period. */
  for (uint8_t i = 0; i < b->ev_count; i++) {
    evb_event_t *e = &b->events[(b->ev_first + i) % EVB_EVENT_BUFFER];
    if (now - e->last_sent_ms >= EVB_RESEND_MS) send_event(b, e);
  }
  drive_leds(b, now);
}
