package org.healthpredict.core.tuning;

import java.util.List;
import java.util.Random;

/** How one hyperparameter is drawn: the five distributions a search-space file may name. */
public sealed interface Distribution {

  /** A value of this distribution's type: Double, Integer, or (for choice) the listed value's type. */
  Object sample(Random rng);

  /** Continuous, uniform on [low, high). */
  record Uniform(double low, double high) implements Distribution {
    @Override
    public Object sample(Random rng) {
      return low + (high - low) * rng.nextDouble();
    }
  }

  /** Continuous, uniform in log space: right for scales such as regularisation or step size. */
  record LogUniform(double low, double high) implements Distribution {
    @Override
    public Object sample(Random rng) {
      double lo = Math.log(low);
      // Clamped because exp(log(x)) may land one ulp outside the declared range.
      return Math.min(high, Math.max(low, Math.exp(lo + (Math.log(high) - lo) * rng.nextDouble())));
    }
  }

  /** Integers low..high, both ends included. */
  record IntUniform(int low, int high) implements Distribution {
    @Override
    public Object sample(Random rng) {
      return low + rng.nextInt(high - low + 1);
    }
  }

  /** Integers low, low + q, low + 2q, ... up to high, each equally likely. */
  record QInt(int low, int high, int q) implements Distribution {
    @Override
    public Object sample(Random rng) {
      return low + q * rng.nextInt((high - low) / q + 1);
    }
  }

  /** One of the listed values (String, Integer, Double or Boolean), each equally likely. */
  record Choice(List<Object> values) implements Distribution {
    public Choice {
      values = List.copyOf(values);
    }

    @Override
    public Object sample(Random rng) {
      return values.get(rng.nextInt(values.size()));
    }
  }
}
