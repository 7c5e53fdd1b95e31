#!/usr/bin/env python3
"""Bootstrap confidence interval of a ratio of medians, for the proxy benches.

Usage: ratio_ci.py RESULT_A RESULT_B COLUMN  (result files of bench/lib.sh `load`, one run per
line, run i of A and of B from the same round). Resamples whole rounds with replacement (a
round's two runs are neighbours in time, so they stay together) and prints the 2.5th and
97.5th percentiles of median(A)/median(B) as "95% CI LO..HI". On a noisy machine this says
whether a printed ratio's distance from 1 means anything.
"""
import random
import statistics
import sys


def main():
    path_a, path_b, column = sys.argv[1], sys.argv[2], int(sys.argv[3]) - 1
    pairs = []
    with open(path_a) as a, open(path_b) as b:
        for line_a, line_b in zip(a, b):
            pairs.append((float(line_a.split()[column]), float(line_b.split()[column])))
    rng = random.Random(1)  # a fixed seed: the same results print the same interval
    ratios = []
    for _ in range(10000):
        sample = [rng.choice(pairs) for _ in pairs]
        ratios.append(statistics.median(p[0] for p in sample) /
                      statistics.median(p[1] for p in sample))
    ratios.sort()
    print(f"95% CI {ratios[int(0.025 * len(ratios))]:.3f}..{ratios[int(0.975 * len(ratios))]:.3f}")


if __name__ == "__main__":
    main()
