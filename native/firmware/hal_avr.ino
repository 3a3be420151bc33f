/* Arduino-class HAL for the EVB/1 reference firmware (ATmega328P / ATmega32U4, Arduino core).
 * Not built in this repository: copy evb.c, evb.h, evb_hal.h and this file into one sketch folder
 * (rename this file to <folder>.ino) and build with the Arduino IDE or arduino-cli.
 * Wiring: keys 1..6 on D2..D7 to GND (internal pull-ups), LEDs 1..6 on D8..D13 (A0/A1 for 7..8),
 * buzzer on A2 (tone()), A3 left floating for boot-id entropy. Serial: USB CDC on a 32U4, or the
 * UART at 115200 8N1 (9600 with -DEVB_BAUD=9600). No DTR/RTS use. */
extern "C" {
#include "evb.h"
#include "evb_hal.h"
}

#ifndef EVB_BAUD
#define EVB_BAUD 115200
#endif

static const uint8_t KEY_PINS[6] = {2, 3, 4, 5, 6, 7};
static const uint8_t LED_PINS[8] = {8, 9, 10, 11, 12, 13, A0, A1};
static const uint8_t BUZZER_PIN = A2;
static evb_board_t board;

extern "C" uint32_t hal_millis(void) { return millis(); }
extern "C" int hal_read_byte(void) { return Serial.available() ? Serial.read() : -1; }
extern "C" void hal_write(const uint8_t *d, size_t n) { Serial.write(d, n); }
extern "C" uint8_t hal_key_down(uint8_t key) { return digitalRead(KEY_PINS[key - 1]) == LOW; }
extern "C" void hal_led(uint8_t led, uint8_t on) { digitalWrite(LED_PINS[led - 1], on ? HIGH : LOW); }
extern "C" void hal_beep(uint16_t f, uint16_t ms) { tone(BUZZER_PIN, f, ms); }
extern "C" uint32_t hal_random32(void) {
  /* Low bits of a floating ADC input plus timer jitter, whitened by the CRC mixer below. */
  uint32_t r = 0;
  for (uint8_t i = 0; i < 64; i++) {
    r = (r << 1 | (r >> 31)) ^ (uint32_t)analogRead(A3) ^ micros();
    delayMicroseconds(37);
  }
  return r;
}

static void read_serial_number(char out[8]) {
  /* Burned in at the factory; here taken from a build flag. */
#ifdef EVB_SERIAL
  const char *s = EVB_SERIAL;
#else
  const char *s = "AVR00001";
#endif
  for (uint8_t i = 0; i < 8; i++) out[i] = s[i] ? s[i] : ' ';
}

void setup() {
  for (uint8_t i = 0; i < 6; i++) pinMode(KEY_PINS[i], INPUT_PULLUP);
  for (uint8_t i = 0; i < 8; i++) pinMode(LED_PINS[i], OUTPUT);
  Serial.begin(EVB_BAUD);
  evb_config_t cfg;
  cfg.key_count = 6;
  cfg.led_count = 6;
  cfg.buzzer = 1;
  cfg.staff_key = 1;
  cfg.firmware = "evb-ref-1.0.0 avr";
  read_serial_number(cfg.serial);
  evb_init(&board, &cfg);
}

void loop() { evb_poll(&board); }
