// Messages on `signal` ports: triggers such as an IoT Hub message or a detection that open a
// signal gate (event-based recording). Plain data; what an event says is up to its producer.

export interface SignalMessage {
  readonly kind: 'signal';
  /** Wall-clock time (Unix ms) the trigger refers to. */
  readonly wallClockMs: number;
  /** The trigger's own content (an IoT Hub message body, an inference), as JSON. */
  readonly body?: unknown;
}
