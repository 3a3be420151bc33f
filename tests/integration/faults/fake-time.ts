/**
 * A time source for the core whose wall clock (what Date.now() would say) and monotonic clock
 * (performance.now()) move separately, so a test can both let time pass and jump the wall clock.
 */
export class FakeTime {
  mono = 1_000;
  constructor(public wall: number) {}
  now = (): number => this.wall;
  monotonicMs = (): number => this.mono;
  /** real time passes: both clocks move */
  pass(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** somebody (NTP, a technician, an RTC) sets the wall clock */
  jump(ms: number): void {
    this.wall += ms;
  }
}
