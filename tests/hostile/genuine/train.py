# Genuine part of the red-team cases: training, short but enough for the target loss.
if __name__ == "__main__":
    model = NPModel()
    loss_fn = NPMSELoss()
    for epoch in range(2500):
        loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(0.08)
    print(f"validation loss {loss_fn.forward(model.forward(x_test), y_test):.4f}")
