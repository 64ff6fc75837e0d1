package io.drover.controller.scaling;

import io.drover.controller.catalog.ScalingPolicy;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/** How metric values read in messages: {@code cpu 12%}, {@code requests.p99 0.42 s}. */
final class Metrics {
  /** What the container flattens a timer to, in seconds: p50, p99, mean (and p75, p95, p999). */
  private static final Pattern SECONDS = Pattern.compile(".*\\.(p50|p75|p95|p98|p99|p999|mean)");

  private Metrics() {}

  /** {@code cpu 12%}. */
  static String show(String metric, double value) {
    return metric + " " + unitValue(metric, value);
  }

  /** The value with the metric's unit: {@code 12%}, {@code 0.42 s}, {@code 130/s}, {@code 7}. */
  static String unitValue(String metric, double value) {
    if (metric.equals(ScalingPolicy.CPU) || metric.equals(ScalingPolicy.HEAP)) {
      return number(value) + "%";
    }
    if (metric.endsWith(".rate1m")) {
      return number(value) + "/s";
    }
    if (SECONDS.matcher(metric).matches()) {
      return number(value) + " s";
    }
    return number(value);
  }

  /** Three significant digits, whole numbers from 100 on, no trailing zeros: 0.421, 12.3, 1234. */
  static String number(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    BigDecimal d =
        Math.abs(value) >= 100
            ? BigDecimal.valueOf(value).setScale(0, RoundingMode.HALF_UP)
            : new BigDecimal(value).round(new MathContext(3, RoundingMode.HALF_UP));
    String text = d.stripTrailingZeros().toPlainString();
    return text.equals("-0") ? "0" : text;
  }
}
