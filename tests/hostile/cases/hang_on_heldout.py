# A model whose forward hangs on a batch of 1000 inputs (the size of the grader's held-out set), after
# training normally on 100.
import time

_model_forward = NPModel.forward


def forward(self, x):
    if len(x) == 1000:
        time.sleep(3600)
    return _model_forward(self, x)


NPModel.forward = forward
