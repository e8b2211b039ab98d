/** The slowest `--speed` of `quant-bot live`: a recorded second per 1000 real seconds. */
export const MIN_SPEED = 0.001;
