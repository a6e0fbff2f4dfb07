from . import website, booking, portal, api
