import sys


def tracer(frame, event, arg):
    return tracer


sys.settrace(tracer)
sys.setprofile(lambda *args: None)
