print("burning CPU")
while True:
    pass
