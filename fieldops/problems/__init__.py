"""Problem records: the shared cause behind incidents (reactive), or a risk written down
before any incident (proactive), with root cause, workaround and permanent fix."""
