"""Model-quality benchmark: the project's tuned and untuned models against Python peers on the same split."""
