/* Hardware abstraction for the EVB/1 reference firmware. Each target (AVR, host pty, unit tests)
 * provides these functions; the portable core (evb.c) calls nothing else. */
#ifndef EVB_HAL_H
#define EVB_HAL_H
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since power-up; wraps after 49 days (all comparisons are wrap-safe). */
uint32_t hal_millis(void);
/* Next received byte, or -1 if none is waiting. Must not block. */
int hal_read_byte(void);
/* Queue bytes for sending. May block briefly on a UART; must not drop bytes. */
void hal_write(const uint8_t *data, size_t n);
/* Raw (undebounced) level of key 1..6: non-zero = pressed. */
uint8_t hal_key_down(uint8_t key);
/* Drive LED 1..8. */
void hal_led(uint8_t led, uint8_t on);
/* Start a tone; the HAL stops it after duration_ms. */
void hal_beep(uint16_t freq_hz, uint16_t duration_ms);
/* 32 random bits for the boot id (ADC noise, a hardware RNG, or the OS). */
uint32_t hal_random32(void);

#endif
