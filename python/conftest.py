"""Every test run under python/: a skipped test is a failed run. These tests cross the language
boundary (Node, PyTorch), and a missing package must show, not pass quietly."""
import pytest

_skipped = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped:
        terminalreporter.write_line(f"{len(_skipped)} test(s) skipped, which counts as a failure: " + ", ".join(_skipped), red=True)
