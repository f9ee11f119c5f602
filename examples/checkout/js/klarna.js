function payLater(dr, cart, owner) {
    var klarnaPayload = {
        type: 'klarnaCredit',
        owner: owner,
        amount: cart.total,
        currency: cart.currency,
        klarnaCredit: {
            returnUrl: location.origin + '/checkout/klarna-return',
            cancelUrl: location.origin + '/cart',
            locale: 'en_US',
            shipping: cart.shippingAddress,
            hasPaidBefore: cart.customer.hasOrders
        }
    };
    return dr.createSource(klarnaPayload);
}
