"""Write the INI configuration files OpenStack services read (oslo.config)."""

from __future__ import annotations

from pathlib import Path


def write_ini(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    """``{"DEFAULT": {"debug": False}, ...}`` → ``path``; booleans as oslo.config spells them."""
    lines = []
    for section, options in sections.items():
        lines.append(f"[{section}]")
        for key, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            lines.append(f"{key} = {text}")
        lines.append("")
    path.write_text("\n".join(lines))
    return path
