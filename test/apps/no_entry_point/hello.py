print("this module exposes no WSGI application")
