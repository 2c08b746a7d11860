"""bench/results/latest.png: ours/A and B/A per figure and app, with the targets."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

import stats


def draw(result: dict, path: Path) -> None:
    apps = list(result["medians"])
    fig, axes = plt.subplots(len(apps), 1, figsize=(13, 4.2 * len(apps)), squeeze=False)
    for ax, app in zip(axes[:, 0], apps, strict=True):
        figures = result["medians"][app]
        interface = stats.interface_of(result, app)
        names = stats.SYSTEM_NAMES_BY_INTERFACE[interface]
        metrics = list(stats.METRICS)
        xs = range(len(metrics))
        for offset, system, color in ((-0.2, "ours", "#1f77b4"), (0.2, "B", "#ff7f0e")):
            values = [stats.ratio(figures.get(system, {}).get(m.key), figures["A"].get(m.key)) for m in metrics]
            ax.bar(
                [x + offset for x in xs],
                [v if v is not None else 0 for v in values],
                width=0.4,
                color=color,
                label=f"{names[system]} / A",
            )
            for x, v in zip(xs, values, strict=True):
                if v is None:
                    ax.text(x + offset, 1.02, "n/a", ha="center", va="bottom", fontsize=7, rotation=90)
        for x, metric in zip(xs, metrics, strict=True):
            for target in stats.TARGETS:
                if target.metric == metric.key and target.against == "A":
                    ax.hlines(target.factor, x - 0.45, x + 0.45, colors="red", linewidth=2)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        ratio_format = FuncFormatter(lambda value, _pos: f"{value:g}x")
        ax.yaxis.set_major_formatter(ratio_format)
        ax.yaxis.set_minor_formatter(ratio_format)
        ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.set_xticks(list(xs))
        ax.set_xticklabels(
            [f"{m.label_for(interface)}{' (higher better)' if m.higher_is_better else ''}" for m in metrics],
            rotation=30,
            ha="right",
            fontsize=8,
        )
        ax.set_ylabel("ratio to A (log)")
        ax.set_title(f"{app}: ratio to baseline {names['A']} (red: target for ours)")
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(f"s2i-wsgi benchmark, {result['machine']['date']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
