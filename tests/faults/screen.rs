//! The screen itself: GPU device loss, presented frames and the watchdog, chimes on the board's
//! clock, health endpoint under load.
