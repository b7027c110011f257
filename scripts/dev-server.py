#!/usr/bin/env python3
"""``make run``: the development server and the background worker together; stopping one stops both.

A shell ``&`` would leave the worker running (background jobs of a non-interactive shell ignore Ctrl-C), so
a small supervisor starts both and always stops the worker when the server ends.
"""

import signal
import subprocess
import sys


def main(port: str) -> int:
    python = sys.executable
    worker = subprocess.Popen([python, "manage.py", "db_worker", "--interval", "2"])
    server = subprocess.Popen([python, "manage.py", "runserver", f"127.0.0.1:{port}"])
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    code = 0
    try:
        code = server.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the server too: let it finish
        server.wait()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "8000"))
