"""The usage and cost part of the HTML report: one row per task, a totals row, a per-model table."""

from __future__ import annotations

from runner.export.html.text import EMPTY, badge, cost, duration, esc, number
from runner.export.masked import MaskedSession
from runner.export.usage_totals import Usage, by_model, model_of, total_of, usage_of

_HEAD = ('<th class="n">Input tokens</th><th class="n">Cache read</th><th class="n">Output tokens</th>'
         '<th class="n">Cost (USD)</th><th class="n">Duration</th><th class="n">Turns</th>')


def _cells(usage: Usage) -> str:
    values = [number(usage.input_tokens), number(usage.cache_read_input_tokens), number(usage.output_tokens),
              cost(usage.cost_usd), duration(usage.duration_ms), number(usage.num_turns)]
    return "".join(f'<td class="n">{value}</td>' for value in values)


def _no_cost_note(session: MaskedSession) -> str:
    silent = sorted({log.executor.name for log in session.logs
                     if log.executor and (log.metrics is None or log.metrics.cost_usd is None)})
    if not silent:
        return ""
    return (f'<p class="note">{EMPTY} = not reported. Executors that reported no cost for some tasks: '
            f'{esc(", ".join(silent))}. Totals add what was reported.</p>')


def usage_section(session: MaskedSession) -> str:
    rows = []
    for log in session.logs:
        rows.append(f'<tr data-testid="usage-row" data-task="{esc(log.task_id)}"><td><a href="#{esc(log.task_id)}">'
                    f'{esc(log.task_id)}</a></td><td>{badge(log.status)}</td><td>{esc(model_of(log))}</td>'
                    f"{_cells(usage_of(log))}</tr>")
    total = total_of(session.logs)
    rows.append(f'<tr class="total" data-testid="usage-total"><td>Total</td><td>{total.tasks} tasks</td>'
                f"<td></td>{_cells(total)}</tr>")
    models = [f'<tr data-testid="model-row"><td>{esc(model)}</td><td class="n">{usage.tasks}</td>{_cells(usage)}</tr>'
              for model, usage in by_model(session.logs).items()]
    return (
        '<section id="usage"><h2>Usage and cost</h2><div class="scroll"><table data-testid="usage-table">'
        f"<thead><tr><th>Task</th><th>Status</th><th>Model</th>{_HEAD}</tr></thead><tbody>{''.join(rows)}"
        '</tbody></table></div><h3>By model</h3><div class="scroll"><table data-testid="model-table">'
        f'<thead><tr><th>Model</th><th class="n">Tasks</th>{_HEAD}</tr></thead><tbody>{"".join(models)}'
        f"</tbody></table></div>{_no_cost_note(session)}</section>"
    )
