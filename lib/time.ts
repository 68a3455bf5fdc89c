/** Whole seconds since the epoch: the unit of every JWT time claim (RFC 7519 §2, NumericDate). */
export function epochSeconds(at: Date | number): number {
  return Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
}
